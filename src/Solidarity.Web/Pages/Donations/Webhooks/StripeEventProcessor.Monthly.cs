using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Data;
using Solidarity.Core.Disputes;
using Solidarity.Core.Donations;
using Solidarity.Core.Amounts;
using Solidarity.Web.Pages.Donations.Monthly;
using Solidarity.Web.Pages.Ledger;
using Stripe;
using Stripe.Checkout;

namespace Solidarity.Web.Pages.Donations.Webhooks;

/// <summary>
/// Monthly gifts. Checkout in subscription mode starts the subscription (<c>checkout.session.completed</c>, which only
/// ties the site's gift to it) and Stripe raises an invoice each month; each paid invoice becomes exactly one donation,
/// keyed by the invoice's id under the gift's lock, so the first invoice and the completed session, or any duplicate,
/// in any order, leave one donation. Subscription events keep the gift's status in step with Stripe.
/// </summary>
internal sealed partial class StripeEventProcessor
{
    /// <summary>
    /// The invoice's facts, inside the event's transaction: its charge, fee, refunds and chargebacks are asked of Stripe
    /// only once its payment intent is locked (<see cref="LockPaymentAsync"/>). So an event about the charge applied
    /// before this commits, which found no donation, was sent before Stripe was asked here, and what it said is in the
    /// answer; and one arriving later waits for this commit. Without Stripe's API to ask, the payload is all there is.
    /// </summary>
    private async Task<Facts> InvoiceFactsAsync(Invoice invoice, CancellationToken cancellationToken)
    {
        var payment = await stripe.PaymentOfAsync(invoice, cancellationToken);
        if (StripeLookups.PaymentIntentIdOf(payment) is { Length: > 0 } paidBy)
        {
            await LockPaymentAsync(paidBy, cancellationToken);
        }

        var (paymentIntentId, charge) = await stripe.ChargeOfAsync(payment, cancellationToken);
        if (charge is null)
        {
            return new Facts(PaymentIntentId: paymentIntentId);
        }

        // A refund or a chargeback made before this event was applied (a retry hours later, or events racing) found no
        // donation to post to: the charge still lists them, and they are posted with the payment.
        return new Facts(
            charge,
            await stripe.BalanceTransactionAsync(charge, cancellationToken),
            charge.AmountRefunded > 0 ? await stripe.RefundsAsync(charge, cancellationToken) : null,
            paymentIntentId,
            charge.Disputed ? await stripe.DisputesAsync(charge, cancellationToken) : null);
    }

    private async Task<(string, Guid?)> MonthlySessionCompletedAsync(Session session, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var gift = await MonthlyGiftRows.FindAndLockAsync(
            db, MonthlyGiftMetadata.GiftId(session.Metadata) ?? ParseId(session.ClientReferenceId), session.SubscriptionId, session.Id, cancellationToken);
        if (gift is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        _disputeId = gift.DisputeId;
        gift.StripeCheckoutSessionId ??= session.Id;
        gift.StripeSubscriptionId ??= session.SubscriptionId;
        gift.StripeCustomerId ??= session.CustomerId;
        if (gift.Status == MonthlyGiftStatus.Pending)
        {
            gift.Status = MonthlyGiftStatus.Active;
            gift.UpdatedAt = time.GetUtcNow();
            await MonthlyGiftRows.RecountAsync(db, [gift.DisputeId], cancellationToken);
            await PauseIfTheDisputeEndedAsync(gift, cancellationToken);
        }

        return (WebhookOutcomes.Applied, null);
    }

    /// <summary>
    /// A gift whose Checkout was still open when an admin ended its dispute starts collecting now: once this event commits,
    /// it is paused, and its giver told, as the dispute's other gifts were.
    /// </summary>
    private async Task PauseIfTheDisputeEndedAsync(MonthlyGift gift, CancellationToken cancellationToken)
    {
        var disputeId = gift.DisputeId;
        if (await db.Disputes.AnyAsync(d => d.Id == disputeId && DisputeStatuses.Past.Contains(d.Status), cancellationToken))
        {
            _afterCommit.Add(() => monthlyGifts.GiftStartedAfterTheEnd(disputeId));
        }
    }

    /// <summary>A Checkout Session for a monthly gift that was never completed: the gift never started.</summary>
    private async Task<(string, Guid?)> MonthlySessionExpiredAsync(Session session, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var gift = await MonthlyGiftRows.FindAndLockAsync(
            db, MonthlyGiftMetadata.GiftId(session.Metadata) ?? ParseId(session.ClientReferenceId), null, session.Id, cancellationToken);
        if (gift is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        // Only the gift's own session ends it: the same form sent again a day later opens a second session (Stripe keeps
        // an idempotency key a day), and the first one's expiry must not cancel a gift whose second session is then paid.
        if (gift.Status == MonthlyGiftStatus.Pending && (gift.StripeCheckoutSessionId is null || gift.StripeCheckoutSessionId == session.Id))
        {
            gift.Status = MonthlyGiftStatus.Cancelled;
            gift.CancelledAt = occurredAt;
            gift.UpdatedAt = time.GetUtcNow();
        }

        return (WebhookOutcomes.Applied, null);
    }

    /// <summary>
    /// A month's payment: one donation per invoice, split by the dispute's shares (or to the chosen branch) as they are
    /// when it is paid, posted, receipted and emailed like any card gift. It carries the payment intent and charge of the
    /// invoice, so its refunds and chargebacks find it by the paths every card gift's do; those made before it existed,
    /// which found no donation, are posted here from the charge.
    /// </summary>
    private async Task<(string, Guid?)> InvoicePaidAsync(Invoice invoice, Facts facts, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var details = invoice.Parent?.SubscriptionDetails;
        var gift = await MonthlyGiftRows.FindAndLockAsync(
            db, MonthlyGiftMetadata.GiftId(details?.Metadata, invoice.Metadata), details?.SubscriptionId, null, cancellationToken);
        if (gift is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        _disputeId = gift.DisputeId;
        var statusBefore = gift.Status;
        gift.StripeSubscriptionId ??= details?.SubscriptionId;
        gift.StripeCustomerId ??= invoice.CustomerId;
        if (gift.Status == MonthlyGiftStatus.Pending)
        {
            // The first invoice may arrive before the completed session that started the subscription.
            gift.Status = MonthlyGiftStatus.Active;
            await PauseIfTheDisputeEndedAsync(gift, cancellationToken);
        }

        // An earlier month's invoice delivered late (a retry) does not take the date back.
        if (invoice.Lines?.Data?.FirstOrDefault()?.Period?.End is { } periodEnd && periodEnd != default
            && Instant(periodEnd, occurredAt) is var next && !(gift.NextPaymentAt >= next))
        {
            gift.NextPaymentAt = next;
        }

        gift.UpdatedAt = time.GetUtcNow();
        var paidAt = invoice.StatusTransitions?.PaidAt is { } paid ? Instant(paid, occurredAt) : occurredAt;
        var failure = await db.MonthlyPaymentFailures.SingleOrDefaultAsync(f => f.StripeInvoiceId == invoice.Id, cancellationToken);
        if (failure is not null)
        {
            failure.PaidAt ??= paidAt;
            failure.NextAttemptAt = null;
        }

        var existing = await db.Donations.AsNoTracking()
            .Where(d => d.StripeInvoiceId == invoice.Id).Select(d => (Guid?)d.Id).SingleOrDefaultAsync(cancellationToken);
        LockedDonation? locked;
        if (existing is { } donationId)
        {
            locked = await LedgerLocks.CardDonationAsync(db, donationId, cancellationToken);
        }
        else
        {
            var amountDiffers = invoice.AmountPaid != gift.ChargedPence;
            var currencyDiffers = !string.Equals(invoice.Currency, gift.Currency, StringComparison.OrdinalIgnoreCase);
            if (amountDiffers || currencyDiffers)
            {
                logger.LogWarning(
                    "Stripe invoice {InvoiceId} was paid {Amount} {Currency} but monthly gift {MonthlyGiftId} charges {Charged} {GiftCurrency}; nothing posted",
                    invoice.Id, invoice.AmountPaid, invoice.Currency, gift.Id, gift.ChargedPence, gift.Currency);
                await RecountIfChangedAsync(gift, statusBefore, cancellationToken);
                return (WebhookOutcomes.AmountMismatch, null);
            }

            locked = await NewMonthlyDonationAsync(gift, invoice.Id, facts, paidAt, details?.Metadata, cancellationToken);
        }

        if (locked is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        _disputeId = locked.Donation.DisputeId;
        var donation = locked.Donation;
        donation.StripePaymentIntentId ??= facts.PaymentIntentId ?? facts.Charge?.PaymentIntentId;
        donation.StripeChargeId ??= facts.Charge?.Id;
        await ConfirmPaidAsync(locked, invoice.Id, paidAt, cancellationToken);
        await ledger.FeeAsync(locked, Fee(facts.Fee), occurredAt, cancellationToken);
        await PostRefundsAsync(locked, facts.Refunds ?? [], occurredAt, cancellationToken);
        foreach (var dispute in facts.Disputes ?? [])
        {
            await PostDisputeAsync(locked, dispute, null, occurredAt, cancellationToken);
        }

        await RecountIfChangedAsync(gift, statusBefore, cancellationToken);
        return (WebhookOutcomes.Applied, donation.Id);
    }

    /// <param name="paidAt">When Stripe took the month's payment.</param>
    /// <param name="invoiceMetadata">The subscription's metadata as the invoice carries it: where the gift went when it was raised.</param>
    private async Task<LockedDonation?> NewMonthlyDonationAsync(
        MonthlyGift gift, string invoiceId, Facts facts, DateTimeOffset paidAt, IDictionary<string, string>? invoiceMetadata, CancellationToken cancellationToken)
    {
        var (disputeId, chosenBranchId) = GivenTo(gift, paidAt, invoiceMetadata);
        var shares = await db.BeneficiaryBranches.AsNoTracking()
            .Where(b => b.DisputeId == disputeId)
            .Select(b => new { b.BranchId, b.ShareBasisPoints })
            .ToListAsync(cancellationToken);
        var donation = new Donation
        {
            DisputeId = disputeId,
            ChosenBranchId = chosenBranchId is { } chosen && shares.Any(s => s.BranchId == chosen) ? chosen : null,
            Method = DonationMethod.Card,
            Status = DonationStatus.Pending,
            AmountPence = gift.AmountPence,
            FeeCoverPence = gift.FeeCoverPence,
            Currency = gift.Currency,
            PublicName = gift.PublicName,
            OrganisationName = gift.OrganisationName,
            ShowAmountPublicly = gift.ShowAmountPublicly,
            DonorName = gift.DonorName,
            Email = gift.Email,
            DonorKey = gift.DonorKey,
            PrivacyConsentAt = gift.PrivacyConsentAt,
            CreatedAt = time.GetUtcNow(),
            MonthlyGiftId = gift.Id,
            StripeInvoiceId = invoiceId,
            StripePaymentIntentId = facts.PaymentIntentId ?? facts.Charge?.PaymentIntentId,
            StripeChargeId = facts.Charge?.Id,
        };
        donation.Allocations = DonationSplit.Allocate(
            donation.Id, donation.ChargedPence, donation.ChosenBranchId, shares.Select(s => (s.BranchId, s.ShareBasisPoints)).ToList());
        if (donation.Allocations.Count == 0)
        {
            logger.LogWarning("Monthly gift {MonthlyGiftId}'s dispute has no branch to give to; invoice {InvoiceId} posted nothing", gift.Id, invoiceId);
            return null;
        }

        return await LedgerLocks.InsertDonationAsync(db, donation, cancellationToken);
    }

    /// <summary>
    /// Where a month's payment goes: where the gift went when Stripe took it. A payment taken before the gift was moved
    /// (its <c>invoice.paid</c> delivered late, after the dispute ended and the giver moved the gift) belongs to the dispute
    /// it was moved from, and to the branch the invoice names if it names one of that dispute's; any later one, to where the
    /// gift goes now.
    /// </summary>
    private static (Guid DisputeId, Guid? ChosenBranchId) GivenTo(MonthlyGift gift, DateTimeOffset paidAt, IDictionary<string, string>? invoiceMetadata)
    {
        if (gift.MovedFromDisputeId is not { } from || gift.MovedAt is not { } movedAt || paidAt >= movedAt)
        {
            return (gift.DisputeId, gift.ChosenBranchId);
        }

        var namesFrom = invoiceMetadata is not null
            && invoiceMetadata.TryGetValue(MonthlyGiftMetadata.DisputeIdKey, out var disputeId) && disputeId == from.ToString();
        Guid? branch = namesFrom && invoiceMetadata!.TryGetValue(MonthlyGiftMetadata.BranchKey, out var named)
            && Guid.TryParse(named, CultureInfo.InvariantCulture, out var branchId) ? branchId : null;
        return (from, branch);
    }

    /// <summary>
    /// A month's payment that failed. Stripe retries it on its own schedule (and emails the giver, if the account is set
    /// to); the site records each failure, for the admins, and the paid invoice closes the row if a retry succeeds.
    /// </summary>
    private async Task<(string, Guid?)> InvoicePaymentFailedAsync(Invoice invoice, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var details = invoice.Parent?.SubscriptionDetails;
        var gift = await MonthlyGiftRows.FindAndLockAsync(
            db, MonthlyGiftMetadata.GiftId(details?.Metadata, invoice.Metadata), details?.SubscriptionId, null, cancellationToken);
        if (gift is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        var nextAttempt = invoice.NextPaymentAttempt is { } next ? Instant(next, occurredAt) : (DateTimeOffset?)null;
        var failure = await db.MonthlyPaymentFailures.SingleOrDefaultAsync(f => f.StripeInvoiceId == invoice.Id, cancellationToken);
        if (failure is null)
        {
            // A failure delivered late (Stripe retrying a delivery the site once refused) may come after the retry that paid
            // the invoice: the month's donation is already here, and the failure is recorded as closed by it.
            var paidAt = await db.Donations.Where(d => d.StripeInvoiceId == invoice.Id).Select(d => d.PaidAt).SingleOrDefaultAsync(cancellationToken);
            db.MonthlyPaymentFailures.Add(new MonthlyPaymentFailure
            {
                PaidAt = paidAt,
                StripeInvoiceId = invoice.Id,
                MonthlyGiftId = gift.Id,
                DisputeId = gift.DisputeId,
                AmountPence = invoice.AmountDue,
                Attempts = (int)Math.Max(1, invoice.AttemptCount),
                FirstFailedAt = occurredAt,
                LastFailedAt = occurredAt,
                NextAttemptAt = paidAt is null ? nextAttempt : null,
            });
        }
        else if (failure.PaidAt is null && occurredAt >= failure.LastFailedAt)
        {
            failure.Attempts = (int)Math.Max(failure.Attempts + 1, invoice.AttemptCount);
            failure.LastFailedAt = occurredAt;
            failure.NextAttemptAt = nextAttempt;
        }

        logger.LogInformation("Monthly gift {MonthlyGiftId}: payment of invoice {InvoiceId} failed; Stripe retries it", gift.Id, invoice.Id);
        return (WebhookOutcomes.Applied, null);
    }

    /// <summary>
    /// The subscription changed at Stripe: collection paused or resumed, the subscription cancelled (by the giver through
    /// the site, from the dashboard, or by Stripe after its retries), or its next payment date moved. An event older than
    /// the state already recorded changes nothing, and a cancelled gift never comes back.
    /// </summary>
    private async Task<(string, Guid?)> SubscriptionChangedAsync(
        Subscription subscription, bool deleted, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var gift = await MonthlyGiftRows.FindAndLockAsync(
            db, MonthlyGiftMetadata.GiftId(subscription.Metadata), subscription.Id, null, cancellationToken);
        if (gift is null)
        {
            return (WebhookOutcomes.UnknownDonation, null);
        }

        _disputeId = gift.DisputeId;
        var statusBefore = gift.Status;
        gift.StripeSubscriptionId ??= subscription.Id;
        gift.StripeCustomerId ??= subscription.CustomerId;
        if (gift.SubscriptionSeenAt is { } seen && occurredAt < seen)
        {
            return (WebhookOutcomes.Applied, null);
        }

        gift.SubscriptionSeenAt = occurredAt;
        if (subscription.Items?.Data?.FirstOrDefault()?.CurrentPeriodEnd is { } periodEnd && periodEnd != default)
        {
            gift.NextPaymentAt = Instant(periodEnd, occurredAt);
        }

        if (gift.Status != MonthlyGiftStatus.Cancelled)
        {
            if (deleted || subscription.Status is "canceled" or "incomplete_expired")
            {
                gift.Status = MonthlyGiftStatus.Cancelled;
                gift.CancelledAt ??= subscription.CanceledAt is { } at ? Instant(at, occurredAt) : occurredAt;
            }
            else if (subscription.PauseCollection is not null || subscription.Status is "unpaid" or "paused")
            {
                // Collection paused, or stopped by Stripe itself: a subscription left unpaid once its retries ran out,
                // or one paused at the end of a trial. Neither charges, so neither counts as a monthly giver.
                gift.Status = MonthlyGiftStatus.Paused;
                gift.PausedAt ??= occurredAt;
            }
            else if (subscription.Status is "active" or "past_due" or "trialing")
            {
                gift.Status = MonthlyGiftStatus.Active;
                gift.PausedAt = null;
                if (statusBefore != MonthlyGiftStatus.Active)
                {
                    // Collecting again, or starting before the completed session that started it arrived: a gift to a
                    // dispute that has ended is paused, as the dispute's other gifts were.
                    await PauseIfTheDisputeEndedAsync(gift, cancellationToken);
                }
            }
        }

        gift.UpdatedAt = time.GetUtcNow();
        await RecountIfChangedAsync(gift, statusBefore, cancellationToken);
        return (WebhookOutcomes.Applied, null);
    }

    private async Task RecountIfChangedAsync(MonthlyGift gift, MonthlyGiftStatus statusBefore, CancellationToken cancellationToken)
    {
        if (gift.Status != statusBefore)
        {
            await MonthlyGiftRows.RecountAsync(db, [gift.DisputeId], cancellationToken);
        }
    }
}
