namespace Solidarity.Web.Pages.Disputes.Books;

/// <summary>
/// What a branch (or the whole dispute) was given and where it went, each figure as a positive sum of pence. The
/// ledger defines what a branch is owed as the sum of every entry posted to it, so
/// given by card + given offline − refunded − lost − pending − fees − paid = held, to the penny.
/// </summary>
internal sealed record BooksFigures(
    long GivenByCardPence,
    long GivenOfflinePence,
    long RefundedPence,
    long LostToChargebacksPence,
    long ChargebacksPendingPence,
    long CardFeesPence,
    long PaidPence)
{
    public static readonly BooksFigures Zero = new(0, 0, 0, 0, 0, 0, 0);

    public long HeldPence =>
        GivenByCardPence + GivenOfflinePence - RefundedPence - LostToChargebacksPence - ChargebacksPendingPence - CardFeesPence - PaidPence;

    public static BooksFigures From(BranchBooksSums sums) => new(
        GivenByCardPence: sums.CardPence,
        GivenOfflinePence: sums.OfflinePence,
        RefundedPence: -sums.RefundsPence,
        LostToChargebacksPence: sums.PendingChargebacksPence - sums.ChargebacksPence,
        ChargebacksPendingPence: -sums.PendingChargebacksPence,
        CardFeesPence: -sums.FeesPence,
        PaidPence: -sums.RemittancesPence);

    public static BooksFigures operator +(BooksFigures a, BooksFigures b) => new(
        a.GivenByCardPence + b.GivenByCardPence,
        a.GivenOfflinePence + b.GivenOfflinePence,
        a.RefundedPence + b.RefundedPence,
        a.LostToChargebacksPence + b.LostToChargebacksPence,
        a.ChargebacksPendingPence + b.ChargebacksPendingPence,
        a.CardFeesPence + b.CardFeesPence,
        a.PaidPence + b.PaidPence);
}

/// <summary>
/// One transfer (or the part of it that paid this dispute's money: a branch paid for several disputes at once has the
/// transfer divided between them in the ledger), when it was made, and whether the branch said it arrived.
/// </summary>
internal sealed record BooksPayment(DateOnly PaidOn, long PaidPence, long TransferPence, bool Confirmed);

/// <summary>
/// A branch's column of the books. <see cref="AsOf"/> is set for a branch that publishes its money only as of its last
/// weekly statement: then every figure, and every payment listed, is as of the end of that statement's period, so no
/// live figure can be worked out from the rest. <see cref="NoStatementYet"/> means such a branch has had none.
/// </summary>
internal sealed record BranchBooks(
    Guid BranchId, string Code, string Name, DateTimeOffset? AsOf, bool NoStatementYet, BooksFigures Figures, IReadOnlyList<BooksPayment> Payments)
{
    /// <summary>The last day the statement covers: its period ends at 00:00 London time the day after.</summary>
    public DateOnly? AsOfDay => AsOf is { } asOf ? DateOnly.FromDateTime(LondonClock.ToLondon(asOf).DateTime).AddDays(-1) : null;
}

/// <summary>A dispute's open books: each branch's column and the dispute's, which adds the branches' up.</summary>
internal sealed record DisputeBooks(Guid DisputeId, string Slug, string Title, IReadOnlyList<BranchBooks> Branches) : IDisputeView
{
    public BooksFigures Whole => Branches.Aggregate(BooksFigures.Zero, (sum, branch) => sum + branch.Figures);

    /// <summary>Whether any branch is shown as of a statement rather than live, so the dispute's column mixes moments.</summary>
    public bool AnyAsOf => Branches.Any(b => b.AsOf is not null || b.NoStatementYet);
}

/// <summary>
/// Reads a dispute's open books in four commands, whatever the size of its ledger: the dispute, its branches (with
/// each one's setting and last statement), the running totals by branch and kind, and the remittance payments.
/// </summary>
internal sealed class OpenBooksQuery(SolidarityDbContext db, LedgerQueries ledger)
{
    /// <summary>Before any ledger entry: the moment a branch that has had no statement yet is shown as of.</summary>
    private static readonly DateTimeOffset BeforeAnything = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed record BranchRow(Guid Id, string Code, string Name, bool AsOfStatement, DateTimeOffset? LastStatementEnd);

    private sealed record PaymentRow(
        Guid BranchId, DateOnly PaidOn, long TransferPence, long PaidPence, bool Confirmed, DateTimeOffset RecordedAt);

    /// <summary>The payments to the dispute's branches with the ledger entry that moved this dispute's part of each.</summary>
    private const string PaymentsSql = """
        SELECT p."BranchId" AS "BranchId", p."PaidOn" AS "PaidOn", p."AmountPence" AS "TransferPence", -e."AmountPence" AS "PaidPence",
            p."ConfirmedAt" IS NOT NULL AS "Confirmed", e."RecordedAt" AS "RecordedAt"
        FROM "RemittancePayments" AS p
        JOIN "LedgerEntries" AS e ON e."Key" = 'remittance:' || p."Id"::text || ':' || @dispute::text
        WHERE p."BranchId" = ANY(@branches)
        ORDER BY p."PaidOn", p."Id"
        """;

    public async Task<DisputeBooks?> LoadAsync(string slug, CancellationToken cancellationToken)
    {
        var dispute = await PublishedDisputes.HeadingAsync(db, slug, cancellationToken);
        if (dispute is null)
        {
            return null;
        }

        // The beneficiaries, and any branch that holds money from the dispute without being one any more.
        var branches = await db.Branches.AsNoTracking()
            .Where(b => db.BeneficiaryBranches.Any(bb => bb.DisputeId == dispute.Id && bb.BranchId == b.Id)
                || db.LedgerTotals.Any(t => t.DisputeId == dispute.Id && t.BranchId == b.Id))
            .OrderBy(b => b.Code)
            .Select(b => new BranchRow(
                b.Id, b.Code, b.Name, b.BooksAsOfStatement,
                db.RemittanceStatements.Where(s => s.BranchId == b.Id).Max(s => (DateTimeOffset?)s.PeriodEnd)))
            .ToListAsync(cancellationToken);

        var asOf = branches.Where(b => b.AsOfStatement).ToDictionary(b => b.Id, b => b.LastStatementEnd ?? BeforeAnything);
        var sums = (await ledger.BooksAsync(dispute.Id, asOf, cancellationToken)).ToDictionary(s => s.BranchId);
        var payments = (await db.Database.SqlQueryRaw<PaymentRow>(
                    PaymentsSql,
                    new Npgsql.NpgsqlParameter("dispute", dispute.Id),
                    new Npgsql.NpgsqlParameter("branches", branches.Select(b => b.Id).ToArray()))
                .ToListAsync(cancellationToken))
            .Where(p => !asOf.TryGetValue(p.BranchId, out var cutoff) || p.RecordedAt < cutoff)
            .ToLookup(p => p.BranchId);

        return new DisputeBooks(
            dispute.Id,
            dispute.Slug,
            dispute.Title,
            branches.Select(b => new BranchBooks(
                b.Id,
                b.Code,
                b.Name,
                b.AsOfStatement ? b.LastStatementEnd : null,
                b.AsOfStatement && b.LastStatementEnd is null,
                sums.TryGetValue(b.Id, out var s) ? BooksFigures.From(s) : BooksFigures.Zero,
                payments[b.Id].Select(p => new BooksPayment(p.PaidOn, p.PaidPence, p.TransferPence, p.Confirmed)).ToList())).ToList());
    }
}
