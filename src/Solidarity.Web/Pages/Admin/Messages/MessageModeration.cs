namespace Solidarity.Web.Pages.Admin.Messages;

/// <summary>
/// Approves or rejects pending messages. The decision is one conditional UPDATE on rows still pending, so of two
/// moderators deciding the same message at once only the first changes it; the second is told it was already
/// decided, and a message once decided is never decided again. Only a message the queue shows can be decided (one
/// whose gift is paid, <see cref="ModerationQueue.Waiting"/>): an id posted from a stale page, or typed, of a message
/// whose payment never came puts nothing on the public page. Audit entries are written in the same transaction.
/// Once committed, the disputes' cached pages are evicted, so an approved message shows at once.
/// </summary>
internal sealed class MessageModeration(SolidarityDbContext db, AuditTrail audit, PublicPageCache cache, TimeProvider time)
{
    public const int MaxPerDecision = 200;

    /// <summary>The messages this call moderated; the others were already moderated (or do not exist) and are left alone.</summary>
    public async Task<IReadOnlyList<Guid>> DecideAsync(
        ClaimsPrincipal moderator, IReadOnlyCollection<Guid> messageIds, ModerationStatus decision, string? reason, CancellationToken cancellationToken)
    {
        if (decision == ModerationStatus.Pending)
        {
            throw new ArgumentOutOfRangeException(nameof(decision), decision, "A decision is Approved or Rejected.");
        }

        if (decision == ModerationStatus.Rejected && string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException("A rejection needs a reason.", nameof(reason));
        }

        var ids = messageIds.Distinct().Take(MaxPerDecision).ToArray();
        if (ids.Length == 0)
        {
            return [];
        }

        var now = time.GetUtcNow();
        Guid? userId = Guid.TryParse(moderator.FindFirstValue(ClaimTypes.NameIdentifier), out var parsed) ? parsed : null;
        var name = moderator.FindFirstValue(ClaimTypes.Email) ?? moderator.Identity?.Name ?? "unknown";
        var status = decision.ToString();
        var kept = decision == ModerationStatus.Rejected ? reason!.Trim() : null;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var waiting = await ModerationQueue.Waiting(db).Where(m => ids.Contains(m.Id)).Select(m => m.Id).ToArrayAsync(cancellationToken);
        var changed = await db.Database.SqlQuery<Decided>($"""
            UPDATE "SupportMessages"
            SET "Status" = {status}, "ModeratedAt" = {now}, "ModeratedByUserId" = {userId}, "ModeratedByName" = {name}, "RejectionReason" = {kept}
            WHERE "Id" = ANY({waiting}) AND "Status" = 'Pending'
            RETURNING "Id", "DisputeId"
            """).ToListAsync(cancellationToken);

        // The reason stays on the message only, not in the audit log, which is never edited: a reason can quote or name
        // the author ("gives Jo's phone number"), and an erasure or the retention job must be able to clear it.
        foreach (var message in changed)
        {
            audit.Record(moderator, decision == ModerationStatus.Approved ? AuditActions.MessageApproved : AuditActions.MessageRejected,
                "SupportMessage", message.Id.ToString());
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await cache.EvictDisputesAsync(changed.Select(m => m.DisputeId), cancellationToken);
        return [.. changed.Select(m => m.Id)];
    }

    private sealed record Decided(Guid Id, Guid DisputeId);
}
