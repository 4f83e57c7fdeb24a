using Hangfire;
using Solidarity.Core.Disputes;
using Stripe;

namespace Solidarity.Web.Pages.Donations.Monthly;

/// <summary>A dispute a paused monthly gift can move to: published, still going, with branches to give to.</summary>
internal sealed record MoveTarget(Guid Id, string Slug, string Title);

/// <summary>
/// Moves a monthly gift paused by the end of its dispute to another active dispute, within <see cref="Window"/> of the
/// pause: Stripe is told first (the subscription's metadata names the new dispute, and collection resumes), then the
/// site's record follows, audited, and the next invoices go to the new dispute, split by its shares.
/// </summary>
internal sealed class MonthlyGiftMove(
    SolidarityDbContext db, ISubscriptionGateway subscriptions, AuditTrail audit, PublicPageCache pages, IBackgroundJobClient jobs,
    TimeProvider time, ILogger<MonthlyGiftMove> logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);

    /// <summary>
    /// Only a gift paused because its dispute ended moves: one paused at Stripe for another reason (its card's retries ran
    /// out, or an admin paused it in Stripe's dashboard) stays as it is, and is never cancelled as unmoved either.
    /// </summary>
    public static bool CanMove(MonthlyGiftView gift, DateTimeOffset now) =>
        gift.DisputeEnded && gift.PausedByDisputeEnd && gift.Status == MonthlyGiftStatus.Paused && gift.PausedAt is { } paused && paused + Window > now;

    public Task<List<MoveTarget>> TargetsAsync(Guid currentDisputeId, CancellationToken cancellationToken) =>
        db.Disputes.AsNoTracking()
            .Where(d => d.IsPublished && DisputeStatuses.Active.Contains(d.Status) && d.Id != currentDisputeId && d.Beneficiaries.Any())
            .OrderBy(d => d.Title)
            .Select(d => new MoveTarget(d.Id, d.Slug, d.Title))
            .ToListAsync(cancellationToken);

    internal enum Outcome
    {
        Moved,
        NotMovable,
        NoSuchDispute,
        StripeUnavailable,
    }

    public async Task<Outcome> MoveAsync(MonthlyGiftView view, Guid toDisputeId, string actor, CancellationToken cancellationToken)
    {
        if (!CanMove(view, time.GetUtcNow()))
        {
            return Outcome.NotMovable;
        }

        var target = (await TargetsAsync(Guid.Empty, cancellationToken)).SingleOrDefault(t => t.Id == toDisputeId);
        if (target is null || target.Id == view.DisputeId)
        {
            return Outcome.NoSuchDispute;
        }

        // The gift is locked while Stripe is asked, as the pause and resume jobs lock its notice: the subscription event
        // that Stripe's resumption sends waits for this move to commit, and then finds the gift moved, not a paused gift
        // of an ended dispute collecting again (which it would pause once more).
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await MonthlyGiftRows.LockAsync(db, view.Id, cancellationToken);
        if (locked is null || locked.Status != MonthlyGiftStatus.Paused || locked.DisputeId != view.DisputeId
            || locked.PausedAt is not { } pausedAt || target.Id == locked.DisputeId)
        {
            return Outcome.NotMovable;
        }

        // Once Stripe is asked, the move is seen through whatever becomes of the request (the giver closing the tab): otherwise
        // Stripe could collect for the new dispute while the gift stays paused on the ended one here.
        cancellationToken = CancellationToken.None;
        if (!string.IsNullOrEmpty(locked.StripeSubscriptionId))
        {
            try
            {
                // Keyed to this pause too: a move tried again after the gift was paused anew is a new request at Stripe,
                // never the replay of an earlier one.
                await subscriptions.ResumeAsync(
                    locked.StripeSubscriptionId, MonthlyGiftMetadata.For(locked.Id, target.Id, target.Slug, null),
                    $"monthly-move:{locked.Id}:{target.Id}:{pausedAt.ToUnixTimeMilliseconds()}", cancellationToken);
            }
            catch (Exception e) when (e is StripeException or HttpRequestException)
            {
                logger.LogWarning("Stripe did not move monthly gift {MonthlyGiftId}: {Error}", locked.Id, StripeErrors.Describe(e));
                return Outcome.StripeUnavailable;
            }
        }

        var from = locked.DisputeId;
        var now = time.GetUtcNow();
        locked.MovedFromDisputeId = from;
        locked.MovedAt = now;
        locked.DisputeId = target.Id;
        locked.ChosenBranchId = null;
        locked.Status = MonthlyGiftStatus.Active;
        locked.PausedAt = null;
        locked.UpdatedAt = now;
        audit.RecordAs(null, actor, AuditActions.MonthlyMoved, nameof(MonthlyGift), locked.Id.ToString(), new { From = from, To = target.Id });
        await MonthlyGiftRows.RecountAsync(db, [from, target.Id], cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // The new dispute was going when the giver chose it; an admin may have ended it since, and its pause job listed its
        // gifts before this one arrived. The pause is asked for again, as the pause and resume jobs do when an admin
        // flips a dispute under them: this gift is then paused with the others, not charged until the daily job finds it.
        if (!await MonthlyNoticeJob.DisputeIsActiveAsync(db, target.Id, cancellationToken))
        {
            jobs.Enqueue<PauseMonthlyGiftsJob>(job => job.RunAsync(target.Id, CancellationToken.None));
        }

        await pages.EvictDisputeAsync(from, cancellationToken);
        await pages.EvictDisputeAsync(target.Id, cancellationToken);
        return Outcome.Moved;
    }
}
