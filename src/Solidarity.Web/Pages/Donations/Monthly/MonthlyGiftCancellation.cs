using Stripe;

namespace Solidarity.Web.Pages.Donations.Monthly;

/// <summary>
/// Ends a monthly gift: Stripe cancels the subscription first (with an idempotency key, so a repeated press or a retry
/// cancels once), then the site records it, with an audit entry, under the gift's lock. Stripe's own
/// <c>customer.subscription.deleted</c> arrives later and finds the gift already cancelled.
/// </summary>
internal sealed class MonthlyGiftCancellation(
    SolidarityDbContext db, ISubscriptionGateway subscriptions, AuditTrail audit, PublicPageCache pages, TimeProvider time,
    ILogger<MonthlyGiftCancellation> logger)
{
    /// <summary>Who the audit log names when a giver cancels through their emailed link: they have no account.</summary>
    public const string GiverActor = "monthly giver (emailed link)";

    /// <returns>False when Stripe could not be reached or refused: nothing changed, and the giver may try again.</returns>
    public async Task<bool> CancelAsync(Guid giftId, string actor, string action, CancellationToken cancellationToken)
    {
        var subscriptionId = db.MonthlyGifts.Where(g => g.Id == giftId).Select(g => g.StripeSubscriptionId).SingleOrDefault();

        // Once Stripe is asked, the cancellation is seen through, with its audit entry, whatever becomes of the request (the
        // giver closing the tab): otherwise Stripe could have cancelled a gift the site still shows running.
        cancellationToken = CancellationToken.None;
        if (!string.IsNullOrEmpty(subscriptionId))
        {
            try
            {
                await subscriptions.CancelAsync(subscriptionId, $"monthly-cancel:{giftId}", cancellationToken);
            }
            catch (Exception e) when (e is StripeException or HttpRequestException)
            {
                logger.LogWarning("Stripe did not cancel monthly gift {MonthlyGiftId}: {Error}", giftId, StripeErrors.Describe(e));
                return false;
            }
        }


        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var gift = await MonthlyGiftRows.LockAsync(db, giftId, cancellationToken);
        if (gift is null)
        {
            return false;
        }

        if (gift.Status != MonthlyGiftStatus.Cancelled)
        {
            var before = gift.Status;
            var now = time.GetUtcNow();
            gift.Status = MonthlyGiftStatus.Cancelled;
            gift.CancelledAt = now;
            gift.UpdatedAt = now;
            audit.RecordAs(null, actor, action, nameof(MonthlyGift), gift.Id.ToString(), new
            {
                gift.DisputeId, From = before.ToString(), gift.StripeSubscriptionId,
            });
            await MonthlyGiftRows.RecountAsync(db, [gift.DisputeId], cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await pages.EvictDisputeAsync(gift.DisputeId, cancellationToken);
        return true;
    }
}
