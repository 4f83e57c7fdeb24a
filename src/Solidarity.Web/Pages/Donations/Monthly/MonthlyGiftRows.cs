namespace Solidarity.Web.Pages.Donations.Monthly;

/// <summary>
/// The row locks of monthly gifts, and the recount of a dispute's monthly summary. Everything that changes a gift (a
/// webhook, the giver's cancellation, the end of a dispute, a move) locks the gift's row first, so the changes to one gift
/// are serialised; a payment then locks its new donation and branches through <c>LedgerLocks</c>, and the summary row of a
/// dispute is locked last of all. Always in that order, so no two of them can deadlock.
/// </summary>
internal static class MonthlyGiftRows
{
    public static async Task<MonthlyGift?> LockAsync(SolidarityDbContext db, Guid giftId, CancellationToken cancellationToken) =>
        (await db.MonthlyGifts.FromSql($"""SELECT * FROM "MonthlyGifts" WHERE "Id" = {giftId} FOR UPDATE""").ToListAsync(cancellationToken))
        .SingleOrDefault();

    /// <summary>Locks the gift by the site's id when the metadata carried it, else by its Stripe subscription or session.</summary>
    public static async Task<MonthlyGift?> FindAndLockAsync(
        SolidarityDbContext db, Guid? giftId, string? subscriptionId, string? sessionId, CancellationToken cancellationToken)
    {
        if (giftId is { } id && await LockAsync(db, id, cancellationToken) is { } byId)
        {
            return byId;
        }

        var found = !string.IsNullOrEmpty(subscriptionId)
            ? await db.MonthlyGifts.Where(g => g.StripeSubscriptionId == subscriptionId).Select(g => (Guid?)g.Id).FirstOrDefaultAsync(cancellationToken)
            : null;
        if (found is null && !string.IsNullOrEmpty(sessionId))
        {
            found = await db.MonthlyGifts.Where(g => g.StripeCheckoutSessionId == sessionId).Select(g => (Guid?)g.Id).FirstOrDefaultAsync(cancellationToken);
        }

        return found is { } other ? await LockAsync(db, other, cancellationToken) : null;
    }

    /// <summary>
    /// Counts again the people giving monthly to each dispute, and what they give a month, from the gifts as this
    /// transaction sees them, after saving its own changes. The summary row is locked before it is counted: a transaction
    /// that changed another gift of the dispute has committed by the time the lock is granted, so its change is counted too.
    /// </summary>
    public static async Task RecountAsync(SolidarityDbContext db, IEnumerable<Guid> disputeIds, CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        foreach (var disputeId in disputeIds.Distinct().Order())
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                INSERT INTO "MonthlyTotals" ("DisputeId", "Givers", "MonthlyPence") VALUES ({disputeId}, 0, 0) ON CONFLICT ("DisputeId") DO NOTHING
                """,
                cancellationToken);
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""SELECT 1 FROM "MonthlyTotals" WHERE "DisputeId" = {disputeId} FOR UPDATE""", cancellationToken);
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                UPDATE "MonthlyTotals" AS t
                SET "Givers" = g.givers, "MonthlyPence" = g.pence
                FROM (
                    SELECT count(DISTINCT COALESCE("DonorKey", 'gift:' || "Id"::text))::int AS givers,
                        COALESCE(sum("AmountPence" + "FeeCoverPence"), 0)::bigint AS pence
                    FROM "MonthlyGifts"
                    WHERE "DisputeId" = {disputeId} AND "Status" = {MonthlyGiftStatus.Active.ToString()}) AS g
                WHERE t."DisputeId" = {disputeId}
                """,
                cancellationToken);
        }
    }
}
