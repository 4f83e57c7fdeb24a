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
    SolidarityDbContext db, ISubscriptionGateway subscriptions, AuditTrail audit, PublicPageCache pages, TimeProvider time,
    ILogger<MonthlyGiftMove> logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);

    /// <summary>Only a gift paused because its dispute ended moves (one paused at Stripe for another reason stays as it is).</summary>
    public static bool CanMove(MonthlyGiftView gift, DateTimeOffset now) =>
        gift.DisputeEnded && gift.Status == MonthlyGiftStatus.Paused && gift.PausedAt is { } paused && paused + Window > now;

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
        var gift = await db.MonthlyGifts.AsNoTracking().SingleAsync(g => g.Id == view.Id, cancellationToken);
        if (target is null || target.Id == gift.DisputeId)
        {
            return Outcome.NoSuchDispute;
        }

        if (!string.IsNullOrEmpty(gift.StripeSubscriptionId))
        {
            try
            {
                await subscriptions.ResumeAsync(
                    gift.StripeSubscriptionId, MonthlyGiftMetadata.For(gift.Id, target.Id, target.Slug, null),
                    $"monthly-move:{gift.Id}:{target.Id}", cancellationToken);
            }
            catch (Exception e) when (e is StripeException or HttpRequestException)
            {
                logger.LogWarning("Stripe did not move monthly gift {MonthlyGiftId}: {Error}", gift.Id, StripeErrors.Describe(e));
                return Outcome.StripeUnavailable;
            }
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await MonthlyGiftRows.LockAsync(db, gift.Id, cancellationToken);
        if (locked is null || locked.Status != MonthlyGiftStatus.Paused)
        {
            return Outcome.NotMovable;
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
        audit.RecordAs(null, actor, MonthlyAuditActions.Moved, nameof(MonthlyGift), locked.Id.ToString(), new { From = from, To = target.Id });
        await MonthlyGiftRows.RecountAsync(db, [from, target.Id], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await pages.EvictDisputeAsync(from, cancellationToken);
        await pages.EvictDisputeAsync(target.Id, cancellationToken);
        return Outcome.Moved;
    }
}
