using System.Data;
using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;

namespace Solidarity.Web.Pages.Remittances;

/// <summary>A period's entries summed by kind, by PostgreSQL.</summary>
internal sealed record PeriodTotals(
    int EntryCount,
    int DonationCount,
    DateTimeOffset? FirstRecordedAt,
    long CardDonationsPence,
    long FeesPence,
    long RefundsPence,
    long ChargebacksPence,
    long ChargebackReversalsPence,
    long OfflinePence,
    long RemittancesPence,
    long OtherPence);

/// <summary>
/// One donation on a statement: what the period's entries gave the branch from it. Gross is the branch's
/// part of the gift (card or offline, less an offline entry reversed as a mistake); fee is what Stripe kept
/// of that part, shown as a positive deduction; net is gross less fee.
/// </summary>
/// <remarks>
/// A statement puts an amount beside every line, so a person's public name is on it only when they chose to show their
/// amount beside it: otherwise the line is anonymous, as their amount is on the public pages. An organisation is named
/// whatever it chose: it gives as a body, not as a person, and a treasurer reconciles its cheques by its name.
/// </remarks>
internal sealed record StatementLine(Guid DonationId, DateTimeOffset Date, string From, DonationMethod Method, long GrossPence, long FeePence)
{
    public long NetPence => GrossPence - FeePence;

    public const string Anonymous = "Anonymous";

    /// <summary>The organisation if one gave, else the name the donor chose to show; never the private name or email.</summary>
    public static string PublicFrom(string? organisation, string? publicName) =>
        !string.IsNullOrWhiteSpace(organisation) ? organisation.Trim()
        : !string.IsNullOrWhiteSpace(publicName) ? publicName.Trim()
        : Anonymous;
}

/// <summary>
/// The SQL behind statements. The kinds are named once here, so the totals, the donation lines and the
/// files all count the same entries. A period is the entries a branch's ledger recorded in [start, end).
/// </summary>
internal sealed class StatementQueries(SolidarityDbContext db)
{
    /// <summary>Entries that belong to one donation's line: what it gave, and the fees taken from it.</summary>
    private const string GrossKinds = "'DonationReceived', 'OfflineDonation', 'OfflineDonationReversed'";
    private const string FeeKinds = "'ProcessingFee', 'ChargebackFee'";

    /// <summary>A refund reversed because Stripe failed it is netted into the refunds line, the way it netted the total.</summary>
    private const string RefundKinds = "'Refund', 'RefundReversed'";

    private const string PeriodFilter = """
        "BranchId" = @branch AND "RecordedAt" >= @start AND "RecordedAt" < @end
        """;

    private const string TotalsSql = $"""
        SELECT COUNT(*)::int AS "EntryCount",
            (COUNT(DISTINCT "DonationId") FILTER (WHERE "DonationId" IS NOT NULL AND "Kind" IN ({GrossKinds}, {FeeKinds})))::int AS "DonationCount",
            MIN("RecordedAt") AS "FirstRecordedAt",
            COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" = 'DonationReceived'), 0)::bigint AS "CardDonationsPence",
            COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" IN ({FeeKinds})), 0)::bigint AS "FeesPence",
            COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" IN ({RefundKinds})), 0)::bigint AS "RefundsPence",
            COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" = 'Chargeback'), 0)::bigint AS "ChargebacksPence",
            COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" = 'ChargebackReversed'), 0)::bigint AS "ChargebackReversalsPence",
            COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" IN ('OfflineDonation', 'OfflineDonationReversed')), 0)::bigint AS "OfflinePence",
            COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" = 'Remittance'), 0)::bigint AS "RemittancesPence",
            COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" NOT IN ({GrossKinds}, {FeeKinds}, {RefundKinds}, 'Chargeback', 'ChargebackReversed', 'Remittance')), 0)::bigint AS "OtherPence"
        FROM "LedgerEntries"
        WHERE {PeriodFilter}
        """;

    /// <summary>A period's donation lines: one row per donation, what its entries gave and the fees taken from it.</summary>
    private const string LinesFrom = $"""
        FROM (
            SELECT "DonationId",
                COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" IN ({GrossKinds})), 0)::bigint AS gross,
                (-COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" IN ({FeeKinds})), 0))::bigint AS fee
            FROM "LedgerEntries"
            WHERE {PeriodFilter} AND "DonationId" IS NOT NULL AND "Kind" IN ({GrossKinds}, {FeeKinds})
            GROUP BY "DonationId") AS l
        JOIN "Donations" AS d ON d."Id" = l."DonationId"
        """;

    private const string LinesSql = $"""
        SELECT d."Id", COALESCE(d."PaidAt", d."CreatedAt") AS at, d."OrganisationName",
            CASE WHEN d."ShowAmountPublicly" THEN d."PublicName" END AS "PublicName", d."Method", l.gross, l.fee
        {LinesFrom}
        ORDER BY at, d."Id"
        """;

    private const string LineCountSql = $"""
        SELECT COUNT(*)::int AS "Value"
        {LinesFrom}
        """;

    public Task<PeriodTotals> TotalsAsync(Guid branchId, DateTimeOffset? start, DateTimeOffset end, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<PeriodTotals>(TotalsSql, Parameters(branchId, start, end)).SingleAsync(cancellationToken);

    /// <summary>How many lines <see cref="LinesAsync"/> gives for the period, counted by PostgreSQL without reading them.</summary>
    public Task<int> LineCountAsync(Guid branchId, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<int>(LineCountSql, Parameters(branchId, start, end)).SingleAsync(cancellationToken);

    /// <summary>
    /// The donation lines of a period, streamed from PostgreSQL by a binary COPY: the caller writes each line out and
    /// lets it go, so memory does not grow with the number of donations, and the rows come at the speed PostgreSQL
    /// sends them, with none of a query's per-row protocol.
    /// </summary>
    public async IAsyncEnumerable<StatementLine> LinesAsync(
        Guid branchId, DateTimeOffset start, DateTimeOffset end, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        try
        {
            // A download the browser abandoned cancels the token, and with it the COPY in PostgreSQL.
            await using var export = await connection.BeginBinaryExportAsync($"COPY ({LinesCopySql(branchId, start, end)}) TO STDOUT (FORMAT BINARY)", cancellationToken);
            while (await export.StartRowAsync(cancellationToken) != -1)
            {
                // Columns come in the order the query names them.
                var id = await export.ReadAsync<Guid>(NpgsqlDbType.Uuid, cancellationToken);
                var at = await export.ReadAsync<DateTimeOffset>(NpgsqlDbType.TimestampTz, cancellationToken);
                var organisation = await NullableTextAsync(export, cancellationToken);
                var publicName = await NullableTextAsync(export, cancellationToken);
                var method = Enum.Parse<DonationMethod>(await export.ReadAsync<string>(NpgsqlDbType.Text, cancellationToken));
                var gross = await export.ReadAsync<long>(NpgsqlDbType.Bigint, cancellationToken);
                var fee = await export.ReadAsync<long>(NpgsqlDbType.Bigint, cancellationToken);
                yield return new StatementLine(id, at, StatementLine.PublicFrom(organisation, publicName), method, gross, fee);
            }
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    /// <summary>
    /// The lines query as COPY takes it, with no parameters: the branch and the instants are written in as typed
    /// literals the site formats itself from a Guid and two instants, never from text a person typed.
    /// </summary>
    public static string LinesCopySql(Guid branchId, DateTimeOffset start, DateTimeOffset end) =>
        LinesSql
            .Replace("@branch", string.Create(CultureInfo.InvariantCulture, $"'{branchId:D}'::uuid"), StringComparison.Ordinal)
            .Replace("@start", Literal(start), StringComparison.Ordinal)
            .Replace("@end", Literal(end), StringComparison.Ordinal);

    /// <summary>To the microsecond, PostgreSQL's precision, as a parameter would be sent.</summary>
    private static string Literal(DateTimeOffset instant) =>
        string.Create(CultureInfo.InvariantCulture, $"'{instant.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff}+00'::timestamptz");

    private static async ValueTask<string?> NullableTextAsync(NpgsqlBinaryExporter export, CancellationToken cancellationToken)
    {
        if (export.IsNull)
        {
            await export.SkipAsync(cancellationToken);
            return null;
        }

        return await export.ReadAsync<string>(NpgsqlDbType.Text, cancellationToken);
    }

    private static NpgsqlParameter[] Parameters(Guid branchId, DateTimeOffset? start, DateTimeOffset end) =>
    [
        new("branch", branchId),
        new("start", (start ?? DateTimeOffset.MinValue).ToUniversalTime()),
        new("end", end.ToUniversalTime()),
    ];
}
