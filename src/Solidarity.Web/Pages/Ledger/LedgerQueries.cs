namespace Solidarity.Web.Pages.Ledger;

/// <summary>A dispute's money, summed from the ledger by kind.</summary>
/// <param name="GrossPence">Donations received, card and offline, less offline entries reversed as mistakes.</param>
/// <param name="FeesPence">Stripe's processing and dispute fees (negative).</param>
/// <param name="RefundsPence">Refunds less those Stripe failed or cancelled after they were posted (negative or zero).</param>
/// <param name="ChargebacksPence">Chargebacks less those won back (negative or zero).</param>
/// <param name="RaisedPence">What the public sees: gross less refunds and lost chargebacks; fees are not in it.</param>
/// <param name="NetPence">Everything owed to the branches before remittances: raised less fees.</param>
/// <param name="Supporters">
/// People and organisations with at least one gift that still holds money (not refunded in full, not lost to a
/// chargeback), each counted once however often they gave.
/// </param>
/// <param name="MonthlyGivers">People giving monthly now (active monthly gifts, each giver once), from the dispute's monthly summary row.</param>
/// <param name="MonthlyPence">What the active monthly gifts bring in a month.</param>
internal sealed record DisputeMoney(
    Guid DisputeId,
    long GrossPence,
    long FeesPence,
    long RefundsPence,
    long ChargebacksPence,
    long RaisedPence,
    long NetPence,
    int Supporters,
    int MonthlyGivers,
    long MonthlyPence,
    long RaisedEntries = 0);

/// <summary>What one branch is owed: the sum of every entry posted to it, fees included.</summary>
internal sealed record BranchBalance(
    Guid BranchId,
    string Code,
    string Name,
    long ReceivedPence,
    long FeesPence,
    long RefundsAndChargebacksPence,
    long RemittedPence,
    long OwedPence);

/// <summary>
/// One branch's money for one dispute by what moved it, as the ledger signs it (positive adds to what the branch is
/// owed): the sum of these is what the branch holds for the dispute. Read by <see cref="LedgerQueries.BooksAsync"/>.
/// </summary>
/// <param name="OfflinePence">Offline money less offline entries reversed.</param>
/// <param name="RefundsPence">Refunds less those Stripe failed or cancelled (negative or zero).</param>
/// <param name="ChargebacksPence">Chargebacks less those won back (negative or zero), open or lost.</param>
/// <param name="PendingChargebacksPence">The part of <paramref name="ChargebacksPence"/> whose Stripe dispute has not closed yet.</param>
internal sealed record BranchBooksSums(
    Guid BranchId,
    long CardPence,
    long OfflinePence,
    long RefundsPence,
    long ChargebacksPence,
    long PendingChargebacksPence,
    long FeesPence,
    long RemittancesPence);

/// <summary>What a dispute raised on one London day, net of that day's refunds and chargebacks.</summary>
internal sealed record DayRaised(DateOnly Day, long Pence, long Entries);

/// <summary>A running total that differs from the sum of its entries: found by <see cref="LedgerQueries.TotalsDifferencesAsync"/>.</summary>
internal sealed record TotalsDifference(Guid DisputeId, Guid BranchId, string Kind, long TotalPence, long EntriesPence);

/// <summary>
/// Sums over the ledger, done by PostgreSQL, never by loading entries. Money by dispute and current balances are read
/// from the running totals (<c>LedgerTotals</c> and <c>SupporterTotals</c>, a few rows per branch), so they cost the same
/// at a million entries as at ten; the open books as of a statement, and the chart's days, are summed from the entries.
/// The kinds are named here once so that every page counts "raised" the same way.
/// </summary>
internal sealed class LedgerQueries(SolidarityDbContext db)
{
    private const string ReceivedKinds = "'DonationReceived', 'OfflineDonation', 'OfflineDonationReversed'";
    private const string FeeKinds = "'ProcessingFee', 'ChargebackFee'";
    private const string RefundKinds = "'Refund', 'RefundReversed'";
    private const string ChargebackKinds = "'Chargeback', 'ChargebackReversed'";

    private const string DisputeMoneySql = $"""
        WITH sums AS (
            SELECT "DisputeId",
                COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" IN ({ReceivedKinds})), 0)::bigint AS gross,
                COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" IN ({FeeKinds})), 0)::bigint AS fees,
                COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" IN ({RefundKinds})), 0)::bigint AS refunds,
                COALESCE(SUM("AmountPence") FILTER (WHERE "Kind" IN ({ChargebackKinds})), 0)::bigint AS chargebacks,
                COALESCE(SUM("EntryCount") FILTER (WHERE "Kind" IN ({ReceivedKinds}, {RefundKinds}, {ChargebackKinds})), 0)::bigint AS raised_entries
            FROM "LedgerTotals"
            WHERE @all OR "DisputeId" = ANY(@ids)
            GROUP BY "DisputeId"),
        givers AS (
            SELECT "DisputeId", SUM("Supporters")::int AS supporters
            FROM "SupporterTotals"
            WHERE @all OR "DisputeId" = ANY(@ids)
            GROUP BY "DisputeId"),
        monthly AS (
            SELECT "DisputeId", "Givers", "MonthlyPence"
            FROM "MonthlyTotals"
            WHERE ("Givers" <> 0 OR "MonthlyPence" <> 0) AND (@all OR "DisputeId" = ANY(@ids)))
        SELECT COALESCE(s."DisputeId", m."DisputeId") AS "DisputeId",
            COALESCE(s.gross, 0) AS "GrossPence", COALESCE(s.fees, 0) AS "FeesPence",
            COALESCE(s.refunds, 0) AS "RefundsPence", COALESCE(s.chargebacks, 0) AS "ChargebacksPence",
            COALESCE(s.gross + s.refunds + s.chargebacks, 0) AS "RaisedPence",
            COALESCE(s.gross + s.refunds + s.chargebacks + s.fees, 0) AS "NetPence",
            COALESCE(g.supporters, 0) AS "Supporters",
            COALESCE(m."Givers", 0) AS "MonthlyGivers", COALESCE(m."MonthlyPence", 0) AS "MonthlyPence",
            COALESCE(s.raised_entries, 0) AS "RaisedEntries"
        FROM sums AS s

            -- A dispute may have monthly givers before its first money: a gift just started, or moved to it.
            FULL JOIN monthly AS m ON m."DisputeId" = s."DisputeId"
            LEFT JOIN givers AS g ON g."DisputeId" = COALESCE(s."DisputeId", m."DisputeId")
        """;

    private const string BranchBalanceSql = $"""
        SELECT t."BranchId" AS "BranchId", b."Code" AS "Code", b."Name" AS "Name",
            COALESCE(SUM(t."AmountPence") FILTER (WHERE t."Kind" IN ({ReceivedKinds})), 0)::bigint AS "ReceivedPence",
            COALESCE(SUM(t."AmountPence") FILTER (WHERE t."Kind" IN ({FeeKinds})), 0)::bigint AS "FeesPence",
            COALESCE(SUM(t."AmountPence") FILTER (WHERE t."Kind" IN ({RefundKinds}, {ChargebackKinds})), 0)::bigint AS "RefundsAndChargebacksPence",
            COALESCE(SUM(t."AmountPence") FILTER (WHERE t."Kind" = 'Remittance'), 0)::bigint AS "RemittedPence",
            SUM(t."AmountPence")::bigint AS "OwedPence"
        FROM "LedgerTotals" AS t JOIN "Branches" AS b ON b."Id" = t."BranchId"
        WHERE @all OR t."BranchId" = ANY(@ids)
        GROUP BY t."BranchId", b."Code", b."Name"
        ORDER BY b."Code"
        """;

    /// <summary>
    /// A dispute's money per branch by kind: the running totals, less (for a branch shown as of a moment) the entries
    /// recorded since, which the index on branch and recording time finds without reading the rest. Chargebacks are
    /// split by whether Stripe has said the dispute closed; there are few, found by the index on dispute and kind.
    /// </summary>
    private const string BooksSql = $"""
        WITH cut AS (
            SELECT c."BranchId", c.cutoff FROM unnest(@branches, @cutoffs) AS c("BranchId", cutoff)),
        moved AS (
            SELECT t."BranchId", t."Kind", t."AmountPence" FROM "LedgerTotals" AS t WHERE t."DisputeId" = @dispute
            UNION ALL
            SELECT e."BranchId", e."Kind", -e."AmountPence"
            FROM cut AS c JOIN "LedgerEntries" AS e ON e."BranchId" = c."BranchId" AND e."RecordedAt" >= c.cutoff
            WHERE e."DisputeId" = @dispute),
        pending AS (
            SELECT e."BranchId", SUM(e."AmountPence")::bigint AS pence
            FROM "LedgerEntries" AS e LEFT JOIN cut AS c ON c."BranchId" = e."BranchId"
            WHERE e."DisputeId" = @dispute AND e."Kind" IN ({ChargebackKinds})
              AND e."RecordedAt" < COALESCE(c.cutoff, 'infinity')
              AND NOT EXISTS (
                  SELECT 1 FROM "StripeEvents" AS s
                  WHERE s."Type" = 'charge.dispute.closed' AND s."ObjectId" = e."StripeObjectId"
                    AND s."ReceivedAt" < COALESCE(c.cutoff, 'infinity'))
            GROUP BY e."BranchId")
        SELECT m."BranchId" AS "BranchId",
            COALESCE(SUM(m."AmountPence") FILTER (WHERE m."Kind" = 'DonationReceived'), 0)::bigint AS "CardPence",
            COALESCE(SUM(m."AmountPence") FILTER (WHERE m."Kind" IN ('OfflineDonation', 'OfflineDonationReversed')), 0)::bigint AS "OfflinePence",
            COALESCE(SUM(m."AmountPence") FILTER (WHERE m."Kind" IN ({RefundKinds})), 0)::bigint AS "RefundsPence",
            COALESCE(SUM(m."AmountPence") FILTER (WHERE m."Kind" IN ({ChargebackKinds})), 0)::bigint AS "ChargebacksPence",
            COALESCE(MAX(p.pence), 0)::bigint AS "PendingChargebacksPence",
            COALESCE(SUM(m."AmountPence") FILTER (WHERE m."Kind" IN ({FeeKinds})), 0)::bigint AS "FeesPence",
            COALESCE(SUM(m."AmountPence") FILTER (WHERE m."Kind" = 'Remittance'), 0)::bigint AS "RemittancesPence"
        FROM moved AS m LEFT JOIN pending AS p ON p."BranchId" = m."BranchId"
        GROUP BY m."BranchId"
        """;

    private const string TotalsDifferencesSql = """
        WITH entries AS (
            SELECT "DisputeId", "BranchId", "Kind", SUM("AmountPence")::bigint AS pence
            FROM "LedgerEntries" GROUP BY "DisputeId", "BranchId", "Kind")
        SELECT COALESCE(t."DisputeId", e."DisputeId") AS "DisputeId", COALESCE(t."BranchId", e."BranchId") AS "BranchId",
            COALESCE(t."Kind", e."Kind") AS "Kind", COALESCE(t."AmountPence", 0) AS "TotalPence", COALESCE(e.pence, 0) AS "EntriesPence"
        FROM "LedgerTotals" AS t
        FULL JOIN entries AS e ON e."DisputeId" = t."DisputeId" AND e."BranchId" = t."BranchId" AND e."Kind" = t."Kind"
        WHERE COALESCE(t."AmountPence", 0) <> COALESCE(e.pence, 0)
        ORDER BY 1, 2, 3
        """;

    /// <summary>
    /// What a dispute raised on each day (London time) that moved its raised figure: received less refunds and
    /// chargebacks, as <see cref="DisputeMoney.RaisedPence"/> counts it, one grouped command over the dispute's entries.
    /// </summary>
    private const string RaisedByDaySql = $"""
        SELECT ("OccurredAt" AT TIME ZONE 'Europe/London')::date AS "Day", SUM("AmountPence")::bigint AS "Pence", COUNT(*)::bigint AS "Entries"
        FROM "LedgerEntries"
        WHERE "DisputeId" = @id AND "Kind" IN ({ReceivedKinds}, {RefundKinds}, {ChargebackKinds})
        GROUP BY 1
        ORDER BY 1
        """;

    /// <summary>
    /// The same, for the entries that occurred since <c>@from</c> only: a range of the branch-and-time index per branch,
    /// so a busy dispute's last day costs its own entries rather than every one the dispute ever had.
    /// </summary>
    private const string RaisedByDaySinceSql = $"""
        SELECT ("OccurredAt" AT TIME ZONE 'Europe/London')::date AS "Day", SUM("AmountPence")::bigint AS "Pence", COUNT(*)::bigint AS "Entries"
        FROM "LedgerEntries"
        WHERE "BranchId" IN (SELECT t."BranchId" FROM "LedgerTotals" AS t WHERE t."DisputeId" = @id) AND "OccurredAt" >= @from
            AND "DisputeId" = @id AND "Kind" IN ({ReceivedKinds}, {RefundKinds}, {ChargebackKinds})
        GROUP BY 1
        ORDER BY 1
        """;

    public Task<List<DayRaised>> RaisedByDayAsync(Guid disputeId, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<DayRaised>(RaisedByDaySql, Parameter("id", disputeId)).ToListAsync(cancellationToken);

    /// <summary>What the dispute raised by day since <paramref name="from"/>, from every branch its money reached (beneficiaries past and present).</summary>
    public Task<List<DayRaised>> RaisedByDaySinceAsync(Guid disputeId, DateTimeOffset from, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<DayRaised>(RaisedByDaySinceSql, Parameter("id", disputeId), Parameter("from", from.ToUniversalTime()))
            .ToListAsync(cancellationToken);

    public Task<List<DisputeMoney>> ForDisputesAsync(IReadOnlyCollection<Guid> disputeIds, CancellationToken cancellationToken) =>
        DisputeMoneyAsync(all: false, disputeIds.Distinct().ToArray(), cancellationToken);

    public Task<List<DisputeMoney>> ForAllDisputesAsync(CancellationToken cancellationToken) =>
        DisputeMoneyAsync(all: true, [], cancellationToken);

    /// <summary>Every branch's balance now, from the running totals.</summary>
    public Task<List<BranchBalance>> BranchBalancesAsync(CancellationToken cancellationToken) =>
        BranchBalancesAsync(all: true, [], cancellationToken);

    public async Task<BranchBalance?> BranchBalanceAsync(Guid branchId, CancellationToken cancellationToken) =>
        (await BranchBalancesAsync(all: false, [branchId], cancellationToken)).SingleOrDefault();

    private Task<List<DisputeMoney>> DisputeMoneyAsync(bool all, Guid[] ids, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<DisputeMoney>(DisputeMoneySql, Parameter("all", all), Parameter("ids", ids))
            .ToListAsync(cancellationToken);

    /// <summary>
    /// A dispute's money per branch by kind, from the running totals. A branch in <paramref name="asOf"/> is summed only
    /// over the entries recorded before its moment (its last statement's end), so nothing later shows.
    /// </summary>
    public Task<List<BranchBooksSums>> BooksAsync(Guid disputeId, IReadOnlyDictionary<Guid, DateTimeOffset> asOf, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<BranchBooksSums>(
                BooksSql,
                Parameter("dispute", disputeId),
                Parameter("branches", asOf.Keys.ToArray()),
                Parameter("cutoffs", asOf.Values.Select(v => v.ToUniversalTime()).ToArray()))
            .ToListAsync(cancellationToken);

    /// <summary>Every running total that no longer equals the sum of its entries; empty while the ledger is sound.</summary>
    public Task<List<TotalsDifference>> TotalsDifferencesAsync(CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<TotalsDifference>(TotalsDifferencesSql).ToListAsync(cancellationToken);

    private Task<List<BranchBalance>> BranchBalancesAsync(bool all, Guid[] ids, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<BranchBalance>(BranchBalanceSql, Parameter("all", all), Parameter("ids", ids)).ToListAsync(cancellationToken);

    private static Npgsql.NpgsqlParameter Parameter(string name, object value) => new(name, value);
}
