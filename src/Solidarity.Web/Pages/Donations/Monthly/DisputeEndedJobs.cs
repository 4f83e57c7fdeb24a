using Hangfire;
using MimeKit;
using Solidarity.Core.Disputes;
using Solidarity.Core.Email;
using Solidarity.Web.Infrastructure.Jobs;

namespace Solidarity.Web.Pages.Donations.Monthly;

/// <summary>What the admin pages call when a dispute's status changes: an ended dispute stops its monthly gifts.</summary>
internal sealed class MonthlyGiftScheduler(IBackgroundJobClient jobs)
{
    /// <summary>A dispute won, settled or lost stops collecting; a suspended one keeps collecting, as the hardship goes on.</summary>
    public void DisputeStatusChanged(Guid disputeId, DisputeStatus before, DisputeStatus after)
    {
        if (before.IsActive() && !after.IsActive())
        {
            jobs.Enqueue<PauseMonthlyGiftsJob>(job => job.RunAsync(disputeId, CancellationToken.None));
        }
    }
}

/// <summary>
/// When a dispute ends: a notice row for every monthly gift still collecting for it (one per gift and dispute, so a
/// second run, or a second worker, adds none), and a job per gift that pauses it at Stripe and tells the giver.
/// </summary>
internal sealed class PauseMonthlyGiftsJob(SolidarityDbContext db, IBackgroundJobClient jobs, TimeProvider time)
{
    public async Task RunAsync(Guid disputeId, CancellationToken cancellationToken)
    {
        var status = await db.Disputes.Where(d => d.Id == disputeId).Select(d => (DisputeStatus?)d.Status).SingleOrDefaultAsync(cancellationToken);
        if (status is not { } ended || ended.IsActive())
        {
            return;
        }

        var gifts = await db.MonthlyGifts.AsNoTracking()
            .Where(g => g.DisputeId == disputeId && g.Status == MonthlyGiftStatus.Active)
            .OrderBy(g => g.Id)
            .Select(g => g.Id)
            .ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var giftId in gifts)
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                INSERT INTO "MonthlyGiftNotices" ("MonthlyGiftId", "DisputeId", "CreatedAt", "Attempts") VALUES ({giftId}, {disputeId}, {now}, 0)
                ON CONFLICT ("MonthlyGiftId", "DisputeId") DO NOTHING
                """,
                cancellationToken);
            jobs.Enqueue<PauseMonthlyGiftJob>(job => job.RunAsync(giftId, disputeId, CancellationToken.None));
        }
    }
}

/// <summary>
/// Pauses one monthly gift whose dispute ended and emails its giver, each once. The gift's notice row is locked while
/// Stripe is asked to pause collection (<c>pause_collection[behavior]=void</c>, with an idempotency key), and marked
/// paused in the same transaction as the delivery row of the giver's email is added; the email then goes through
/// <see cref="EmailOnce"/> like every other. So two workers running the job together, or a retry, pause and email once.
/// </summary>
internal sealed class PauseMonthlyGiftJob(
    SolidarityDbContext db,
    ISubscriptionGateway subscriptions,
    MonthlyGiftLinks links,
    AuditTrail audit,
    PublicPageCache pages,
    EmailOnce email,
    SiteAddress site,
    IOptions<ReceiptSettings> receiptOptions,
    IOptions<SmtpSettings> smtpOptions,
    TimeProvider time,
    ILogger<PauseMonthlyGiftJob> logger)
{
    public async Task RunAsync(Guid giftId, Guid disputeId, CancellationToken cancellationToken)
    {
        if (!await PauseOnceAsync(giftId, disputeId, cancellationToken))
        {
            return;
        }

        await pages.EvictDisputeAsync(disputeId, cancellationToken);
        await EmailOnceAsync(giftId, disputeId, cancellationToken);
    }

    public static string DeliveryKey(Guid giftId, Guid disputeId) => $"monthly-paused:{giftId}:{disputeId}";

    /// <returns>Whether the gift is paused for this dispute now (by this run or an earlier one), and so owes its notice.</returns>
    private async Task<bool> PauseOnceAsync(Guid giftId, Guid disputeId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var notice = await LockNoticeAsync(giftId, disputeId, cancellationToken);
        if (notice is null)
        {
            return false;
        }

        if (notice.PausedAt is not null)
        {
            return true;
        }

        var gift = await db.MonthlyGifts.AsNoTracking().SingleAsync(g => g.Id == giftId, cancellationToken);
        if (gift.DisputeId != disputeId || gift.Status != MonthlyGiftStatus.Active)
        {
            // Cancelled, or moved, since the dispute ended: nothing to pause and nothing to say.
            return false;
        }

        if (!string.IsNullOrEmpty(gift.StripeSubscriptionId))
        {
            await subscriptions.PauseAsync(gift.StripeSubscriptionId, $"monthly-pause:{giftId}:{disputeId}", cancellationToken);
        }

        var locked = await MonthlyGiftRows.LockAsync(db, giftId, cancellationToken);
        if (locked is null || locked.DisputeId != disputeId || locked.Status == MonthlyGiftStatus.Cancelled)
        {
            // Cancelled, or moved, by its giver while Stripe was being asked: the giver is not told of a pause. Nothing is
            // committed, and a retry finds the gift as it is now.
            return false;
        }

        var now = time.GetUtcNow();
        if (locked.Status == MonthlyGiftStatus.Active)
        {
            locked.Status = MonthlyGiftStatus.Paused;
            locked.PausedAt = now;
            locked.UpdatedAt = now;
            audit.RecordBySite(MonthlyAuditActions.Paused, nameof(MonthlyGift), giftId.ToString(), new { DisputeId = disputeId, locked.StripeSubscriptionId });
        }

        notice.PausedAt = now;
        db.EmailDeliveries.Add(new EmailDelivery { Key = DeliveryKey(giftId, disputeId), CreatedAt = now });
        await MonthlyGiftRows.RecountAsync(db, [disputeId], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Monthly gift {MonthlyGiftId} paused: dispute {DisputeId} ended", giftId, disputeId);
        return true;
    }

    private async Task EmailOnceAsync(Guid giftId, Guid disputeId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await email.SendAsync(DeliveryKey(giftId, disputeId), async ct =>
        {
            var notice = await db.MonthlyGiftNotices.SingleAsync(n => n.MonthlyGiftId == giftId && n.DisputeId == disputeId, ct);
            notice.Attempts++;
            notice.SentAt = time.GetUtcNow();
            var about = await db.MonthlyGifts.AsNoTracking()
                .Where(g => g.Id == giftId)
                .Select(g => new { g.Email, g.DonorName, g.OrganisationName, Charged = g.AmountPence + g.FeeCoverPence, g.Currency, g.PausedAt })
                .SingleAsync(ct);
            if (string.IsNullOrWhiteSpace(about.Email))
            {
                // Erased since: nobody to tell, and nothing to retry.
                return Outgoing.Nothing("No email address.");
            }

            var dispute = await db.Disputes.AsNoTracking()
                .Where(d => d.Id == disputeId).Select(d => new { d.Title, d.Status }).SingleAsync(ct);
            var link = site.BaseUrl() + MonthlyGiftLinks.PathFor(links.Create(giftId));
            var movableUntil = (about.PausedAt ?? time.GetUtcNow()) + MonthlyGiftMove.Window;
            var message = smtpOptions.Value.Message(
                $"monthly-paused-{giftId:N}-{disputeId:N}", $"{dispute.Title} has ended: your monthly gift is paused");
            message.To.Add(new MailboxAddress(about.DonorName ?? about.OrganisationName ?? "", about.Email));
            message.Body = new TextPart("plain")
            {
                Text = $"""
                    The {dispute.Title} dispute has ended ({dispute.Status.Label().ToLowerInvariant()}). Thank you for giving to it every month.

                    Your monthly gift of {new Money(about.Charged, about.Currency).Format()} is paused: nothing more will be taken for it.

                    Until {LondonClock.LongDate(movableUntil)} you can move it to another dispute that is still going, and it will carry on
                    from there; if you do nothing, it will be cancelled then. To move it, or cancel it now, open:
                    {link}

                    {receiptOptions.Value.OrganisationName}
                    {receiptOptions.Value.OrganisationAddress}
                    """,
            };
            return Outgoing.Send(message);
        }, cancellationToken);
    }

    /// <summary>
    /// Locks the notice and reads it as it is now: anything this context still tracks from before the lock (the pause's
    /// read of the row) is forgotten first, or another worker's commit, awaited by the lock, would go unseen.
    /// </summary>
    private async Task<MonthlyGiftNotice?> LockNoticeAsync(Guid giftId, Guid disputeId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        return (await db.MonthlyGiftNotices
            .FromSql($"""SELECT * FROM "MonthlyGiftNotices" WHERE "MonthlyGiftId" = {giftId} AND "DisputeId" = {disputeId} FOR UPDATE""")
            .ToListAsync(cancellationToken))
            .SingleOrDefault();
    }
}

/// <summary>
/// Every day: a gift still collecting for a dispute that ended (its pause never enqueued, or lost) is paused now, and a
/// gift paused for longer than <see cref="MonthlyGiftMove.Window"/> without being moved is cancelled at Stripe.
/// </summary>
internal sealed class EndUnmovedMonthlyGiftsJob(
    SolidarityDbContext db, PauseMonthlyGiftsJob pauses, MonthlyGiftCancellation cancellation, TimeProvider time,
    ILogger<EndUnmovedMonthlyGiftsJob> logger)
{
    public const string RecurringJobId = "end-unmoved-monthly-gifts";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var ended = await db.MonthlyGifts.AsNoTracking()
            .Where(g => g.Status == MonthlyGiftStatus.Active)
            .Join(db.Disputes.Where(d => DisputeStatuses.Past.Contains(d.Status)), g => g.DisputeId, d => d.Id, (g, d) => d.Id)
            .Distinct()
            .ToListAsync(cancellationToken);
        foreach (var disputeId in ended)
        {
            await pauses.RunAsync(disputeId, cancellationToken);
        }

        var before = time.GetUtcNow() - MonthlyGiftMove.Window;
        var unmoved = await db.MonthlyGifts.AsNoTracking()
            .Where(g => g.Status == MonthlyGiftStatus.Paused && g.PausedAt < before)

            // Paused because its dispute ended, not (say) from Stripe's dashboard while the dispute goes on; and the
            // dispute is still over: one an admin reopened keeps its gifts.
            .Where(g => db.MonthlyGiftNotices.Any(n => n.MonthlyGiftId == g.Id && n.DisputeId == g.DisputeId && n.PausedAt != null))
            .Where(g => db.Disputes.Any(d => d.Id == g.DisputeId && DisputeStatuses.Past.Contains(d.Status)))
            .OrderBy(g => g.PausedAt)
            .Select(g => g.Id)
            .ToListAsync(cancellationToken);

        // A gift Stripe will not cancel holds back no other: each is tried, and the job fails at the end if any failed.
        var cancelled = await EachAlone.RunAsync(
            unmoved,
            async giftId => await cancellation.CancelAsync(giftId, AuditTrail.SiteActor, MonthlyAuditActions.CancelledUnmoved, cancellationToken)
                ? true
                : throw new InvalidOperationException($"Stripe did not cancel monthly gift {giftId}; the job will try again."),
            logger,
            "unmoved monthly gifts",
            cancellationToken);
        if (cancelled > 0)
        {
            logger.LogInformation("Cancelled {Count} monthly gifts paused for {Days} days without being moved", cancelled, MonthlyGiftMove.Window.Days);
        }
    }
}
