using Hangfire;
using Microsoft.EntityFrameworkCore.Storage;
using MimeKit;
using Solidarity.Core.Disputes;
using Solidarity.Core.Email;
using Solidarity.Web.Infrastructure.Jobs;

namespace Solidarity.Web.Pages.Donations.Monthly;

/// <summary>
/// What the admin pages call when a dispute's status changes: an ended dispute stops its monthly gifts, and a dispute an
/// admin reopens takes up again the gifts its end paused.
/// </summary>
internal sealed class MonthlyGiftScheduler(IBackgroundJobClient jobs)
{
    /// <summary>A dispute won, settled or lost stops collecting; a suspended one keeps collecting, as the hardship goes on.</summary>
    public void DisputeStatusChanged(Guid disputeId, DisputeStatus before, DisputeStatus after)
    {
        if (before.IsActive() && !after.IsActive())
        {
            jobs.Enqueue<PauseMonthlyGiftsJob>(job => job.RunAsync(disputeId, CancellationToken.None));
        }
        else if (!before.IsActive() && after.IsActive())
        {
            jobs.Enqueue<ResumeMonthlyGiftsJob>(job => job.RunAsync(disputeId, CancellationToken.None));
        }
    }

    /// <summary>
    /// A gift started collecting for a dispute that had already ended (its Checkout was open when the admin ended it): it
    /// is paused as the dispute's other gifts were, now rather than by the daily job.
    /// </summary>
    public void GiftStartedAfterTheEnd(Guid disputeId) =>
        jobs.Enqueue<PauseMonthlyGiftsJob>(job => job.RunAsync(disputeId, CancellationToken.None));
}

/// <summary>
/// The keys of what a dispute's end and its reopening send, and ask of Stripe, for each gift: one set per round (each time
/// the dispute ends while the gift goes to it). The first round's are the keys used before a dispute could be reopened.
/// </summary>
internal static class MonthlyNoticeKeys
{
    /// <summary>The delivery row of the email saying the gift is paused.</summary>
    public static string Paused(Guid giftId, Guid disputeId, int round) => Numbered($"monthly-paused:{giftId}:{disputeId}", round);

    /// <summary>The delivery row of the email saying the gift goes on, the dispute having been reopened.</summary>
    public static string Resumed(Guid giftId, Guid disputeId, int round) => $"monthly-resumed:{giftId}:{disputeId}:{round}";

    /// <summary>The idempotency key of the pause at Stripe.</summary>
    public static string PauseAtStripe(Guid giftId, Guid disputeId, int round) => Numbered($"monthly-pause:{giftId}:{disputeId}", round);

    /// <summary>The idempotency key of the resumption at Stripe.</summary>
    public static string ResumeAtStripe(Guid giftId, Guid disputeId, int round) => $"monthly-resume:{giftId}:{disputeId}:{round}";

    /// <summary>Every email a notice stands for so far: each round's pause, and each round's resumption once it happened.</summary>
    public static IEnumerable<(string Key, string About)> DeliveriesOf(Guid giftId, Guid disputeId, int round, bool resumed) =>
        Enumerable.Range(1, round).SelectMany(r =>
            r < round || resumed
                ? new[] { (Paused(giftId, disputeId, r), "monthly gift paused: its dispute ended"), (Resumed(giftId, disputeId, r), "monthly gift resumed: its dispute was reopened") }
                : [(Paused(giftId, disputeId, r), "monthly gift paused: its dispute ended")]);

    private static string Numbered(string key, int round) => round == 1 ? key : $"{key}:{round}";

    /// <summary>
    /// Locks a gift's notice for a dispute and reads it as it is now: anything the context still tracks from before the
    /// lock is forgotten first, or another worker's commit, awaited by the lock, would go unseen.
    /// </summary>
    public static async Task<MonthlyGiftNotice?> LockAsync(SolidarityDbContext db, Guid giftId, Guid disputeId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        return (await db.MonthlyGiftNotices
            .FromSql($"""SELECT * FROM "MonthlyGiftNotices" WHERE "MonthlyGiftId" = {giftId} AND "DisputeId" = {disputeId} FOR UPDATE""")
            .ToListAsync(cancellationToken))
            .SingleOrDefault();
    }
}

/// <summary>
/// The two emails of a dispute's end and of its reopening to a monthly giver, each sent once a round through
/// <see cref="EmailOnce"/>, and only while still true: one overtaken before it went (the dispute reopened or ended
/// again, or the gift moved, was cancelled or paused again) is dropped.
/// </summary>
internal sealed class MonthlyNoticeEmails(
    SolidarityDbContext db, EmailOnce email, MonthlyGiftLinks links, SiteAddress site, IOptions<ReceiptSettings> receiptOptions,
    IOptions<SmtpSettings> smtpOptions, TimeProvider time)
{
    /// <summary>What an email says, and whether it is still true, read inside its delivery's transaction.</summary>
    private sealed record Facts(
        MonthlyGiftNotice Notice, string Title, DisputeStatus Status, MonthlyGiftStatus GiftStatus, DateTimeOffset? PausedAt, string Charged);

    public Task PausedAsync(Guid giftId, Guid disputeId, int round, CancellationToken cancellationToken) => SendAsync(
        MonthlyNoticeKeys.Paused(giftId, disputeId, round), giftId, disputeId,
        round == 1 ? $"monthly-paused-{giftId:N}-{disputeId:N}" : $"monthly-paused-{giftId:N}-{disputeId:N}-{round}",
        f => f.Notice.Round == round && f.Notice.ResumedAt is null && !f.Status.IsActive() && f.GiftStatus == MonthlyGiftStatus.Paused,
        (f, link) =>
        {
            // The notice keeps when its round's pause was told, and how often that was tried.
            f.Notice.Attempts++;
            f.Notice.SentAt = time.GetUtcNow();
            var movableUntil = (f.PausedAt ?? time.GetUtcNow()) + MonthlyGiftMove.Window;
            return ($"{f.Title} has ended: your monthly gift is paused", $"""
                The {f.Title} dispute has ended ({f.Status.Label().ToLowerInvariant()}). Thank you for giving to it every month.

                Your monthly gift of {f.Charged} is paused: nothing more will be taken for it.

                Until {LondonClock.LongDate(movableUntil)} you can move it to another dispute that is still going, and it will carry on
                from there; if you do nothing, it will be cancelled then. To move it, or cancel it now, open:
                {link}
                """);
        },
        cancellationToken);

    public Task ResumedAsync(Guid giftId, Guid disputeId, int round, CancellationToken cancellationToken) => SendAsync(
        MonthlyNoticeKeys.Resumed(giftId, disputeId, round), giftId, disputeId, $"monthly-resumed-{giftId:N}-{disputeId:N}-{round}",
        f => f.Notice.Round == round && f.Status.IsActive() && f.GiftStatus == MonthlyGiftStatus.Active,
        (f, link) => ($"{f.Title} is going again: your monthly gift goes on", $"""
            The {f.Title} dispute has been reopened ({f.Status.Label().ToLowerInvariant()}), so your monthly gift of {f.Charged},
            paused when it ended, goes on: the next payment is taken on its usual day of the month.

            If you would rather stop, cancel it at any time from:
            {link}
            """),
        cancellationToken);

    private async Task SendAsync(
        string key, Guid giftId, Guid disputeId, string messageId, Func<Facts, bool> stillTrue, Func<Facts, string, (string Subject, string Text)> write,
        CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await email.SendAsync(key, async ct =>
        {
            var notice = await db.MonthlyGiftNotices.SingleAsync(n => n.MonthlyGiftId == giftId && n.DisputeId == disputeId, ct);
            var gift = await db.MonthlyGifts.AsNoTracking()
                .Where(g => g.Id == giftId)
                .Select(g => new { g.Email, g.DonorName, g.OrganisationName, Charged = g.AmountPence + g.FeeCoverPence, g.Currency, g.PausedAt, g.Status, g.DisputeId })
                .SingleAsync(ct);
            if (string.IsNullOrWhiteSpace(gift.Email))
            {
                // Erased since: nobody to tell, and nothing to retry.
                return Outgoing.Nothing("No email address.");
            }

            var dispute = await db.Disputes.AsNoTracking()
                .Where(d => d.Id == disputeId).Select(d => new { d.Title, d.Status }).SingleAsync(ct);
            var facts = new Facts(notice, dispute.Title, dispute.Status, gift.Status, gift.PausedAt, new Money(gift.Charged, gift.Currency).Format());
            if (gift.DisputeId != disputeId || !stillTrue(facts))
            {
                return Outgoing.Nothing("No longer true.");
            }

            var (subject, text) = write(facts, site.BaseUrl() + MonthlyGiftLinks.PathFor(links.Create(giftId)));
            var message = smtpOptions.Value.Message(messageId, subject);
            message.To.Add(new MailboxAddress(gift.DonorName ?? gift.OrganisationName ?? "", gift.Email));
            message.Body = new TextPart("plain")
            {
                Text = $"""
                    {text}

                    {receiptOptions.Value.OrganisationName}
                    {receiptOptions.Value.OrganisationAddress}
                    """,
            };
            return Outgoing.Send(message);
        }, cancellationToken);
    }
}

/// <summary>
/// What the two jobs that pause and resume a gift for its dispute both need, taken as one so that each job adds only its
/// own logger.
/// </summary>
internal sealed record MonthlyNoticeServices(
    SolidarityDbContext Db, IBackgroundJobClient Jobs, ISubscriptionGateway Subscriptions, MonthlyNoticeEmails Emails, AuditTrail Audit,
    PublicPageCache Pages, TimeProvider Time);

/// <summary>
/// What pausing a monthly gift for its dispute's end and resuming it for the dispute's reopening share. Each changes the
/// gift once a round: in one transaction, under its notice's lock (<see cref="ChangeAsync"/>), asking Stripe before it
/// locks the gift (<see cref="LockGiftAsync"/>), and committing the change with its email's delivery row
/// (<see cref="CommitAsync"/>). Then, since an admin may have flipped the dispute again while it ran, and whichever of the
/// two jobs commits last sees the other, it hands the gift over to the other's list job when the dispute no longer is what
/// it acted for. Last, it refreshes the dispute's pages and emails the giver. Hangfire keeps each job under its own type,
/// which runs this method.
/// </summary>
/// <param name="forActiveDispute">Whether the job acts for a dispute that is going (a resumption) rather than one that ended (a pause).</param>
internal abstract class MonthlyNoticeJob(MonthlyNoticeServices services, bool forActiveDispute)
{
    /// <summary>The job's context, in which its change and its checks run.</summary>
    protected SolidarityDbContext Db => services.Db;

    protected IBackgroundJobClient Jobs => services.Jobs;

    protected ISubscriptionGateway Subscriptions => services.Subscriptions;

    protected AuditTrail Audit => services.Audit;

    protected TimeProvider Time => services.Time;

    public async Task RunAsync(Guid giftId, Guid disputeId, CancellationToken cancellationToken)
    {
        int? changed;
        await using (var transaction = await Db.Database.BeginTransactionAsync(cancellationToken))
        {
            var notice = await MonthlyNoticeKeys.LockAsync(Db, giftId, disputeId, cancellationToken);
            changed = notice is null ? null : await ChangeAsync(notice, transaction, cancellationToken);
        }

        if (changed is not { } round)
        {
            return;
        }

        // An admin who flipped the dispute while this ran may have had the other job's list skip the gift, not yet changed:
        // whichever of the two commits last sees the other, and here that is this job, which hands the gift over.
        var isActive = await DisputeIsActiveAsync(Db, disputeId, cancellationToken);
        if (isActive && !forActiveDispute)
        {
            Jobs.Enqueue<ResumeMonthlyGiftsJob>(job => job.RunAsync(disputeId, CancellationToken.None));
        }
        else if (!isActive && forActiveDispute)
        {
            Jobs.Enqueue<PauseMonthlyGiftsJob>(job => job.RunAsync(disputeId, CancellationToken.None));
        }

        await services.Pages.EvictDisputeAsync(disputeId, cancellationToken);
        await (forActiveDispute
            ? services.Emails.ResumedAsync(giftId, disputeId, round, cancellationToken)
            : services.Emails.PausedAsync(giftId, disputeId, round, cancellationToken));
    }

    internal static Task<bool> DisputeIsActiveAsync(SolidarityDbContext db, Guid disputeId, CancellationToken cancellationToken) =>
        db.Disputes.AnyAsync(d => d.Id == disputeId && DisputeStatuses.Active.Contains(d.Status), cancellationToken);

    /// <summary>The change, in the transaction that holds the gift's notice locked; committed by the change itself.</summary>
    /// <returns>The round the gift's notice is owed for, by this run or an earlier one; null when nothing changed.</returns>
    protected abstract Task<int?> ChangeAsync(MonthlyGiftNotice notice, IDbContextTransaction transaction, CancellationToken cancellationToken);

    /// <summary>
    /// The gift, locked once Stripe has answered; null when its giver cancelled or moved it meanwhile, in which case nothing
    /// is committed, the giver is told nothing, and a retry finds the gift as it is then.
    /// </summary>
    protected async Task<MonthlyGift?> LockGiftAsync(MonthlyGiftNotice notice, CancellationToken cancellationToken)
    {
        var locked = await MonthlyGiftRows.LockAsync(Db, notice.MonthlyGiftId, cancellationToken);
        return locked is null || locked.DisputeId != notice.DisputeId || locked.Status == MonthlyGiftStatus.Cancelled ? null : locked;
    }

    /// <summary>Commits the change with the delivery row of the email it owes, and the dispute's counts of monthly gifts.</summary>
    protected async Task<int> CommitAsync(
        MonthlyGiftNotice notice, string emailKey, DateTimeOffset now, IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        Db.EmailDeliveries.Add(new EmailDelivery { Key = emailKey, CreatedAt = now });
        await MonthlyGiftRows.RecountAsync(Db, [notice.DisputeId], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return notice.Round;
    }
}

/// <summary>
/// When a dispute ends: a notice row for every monthly gift still collecting for it (one per gift and dispute, so a
/// second run, or a second worker, adds none; a row whose gift a reopening resumed starts its next round), and a job
/// per gift that pauses it at Stripe and tells the giver.
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
                INSERT INTO "MonthlyGiftNotices" ("MonthlyGiftId", "DisputeId", "Round", "CreatedAt", "Attempts") VALUES ({giftId}, {disputeId}, 1, {now}, 0)
                ON CONFLICT ("MonthlyGiftId", "DisputeId") DO UPDATE
                SET "Round" = "MonthlyGiftNotices"."Round" + 1, "CreatedAt" = EXCLUDED."CreatedAt", "PausedAt" = NULL, "SentAt" = NULL,
                    "Attempts" = 0, "ResumedAt" = NULL
                WHERE "MonthlyGiftNotices"."ResumedAt" IS NOT NULL
                """,
                cancellationToken);
            jobs.Enqueue<PauseMonthlyGiftJob>(job => job.RunAsync(giftId, disputeId, CancellationToken.None));
        }
    }
}

/// <summary>
/// Pauses one monthly gift whose dispute ended and emails its giver, each once a round. The gift's notice row is locked
/// while Stripe is asked to pause collection (<c>pause_collection[behavior]=void</c>, with an idempotency key), and marked
/// paused in the same transaction as the delivery row of the giver's email is added; the email then goes through
/// <see cref="EmailOnce"/> like every other. So two workers running the job together, or a retry, pause and email once.
/// A dispute reopened before the job ran pauses nothing.
/// </summary>
internal sealed class PauseMonthlyGiftJob(MonthlyNoticeServices services, ILogger<PauseMonthlyGiftJob> logger)
    : MonthlyNoticeJob(services, forActiveDispute: false)
{
    /// <returns>
    /// The round in which the gift is paused for this dispute now (by this run or an earlier one), and so owes its notice;
    /// null when nothing was paused.
    /// </returns>
    protected override async Task<int?> ChangeAsync(MonthlyGiftNotice notice, IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        var (giftId, disputeId) = (notice.MonthlyGiftId, notice.DisputeId);
        var gift = await Db.MonthlyGifts.AsNoTracking().SingleAsync(g => g.Id == giftId, cancellationToken);
        if (await DisputeIsActiveAsync(Db, disputeId, cancellationToken))
        {
            // Reopened before this ran: the gift goes on collecting, and the giver is told of no pause. A gift found paused
            // here was paused at Stripe by an earlier run that never committed: it is noted as paused, unannounced, so
            // that the reopening's resumption finds it.
            if (notice.PausedAt is null && notice.ResumedAt is null && gift.DisputeId == disputeId && gift.Status == MonthlyGiftStatus.Paused)
            {
                notice.PausedAt = Time.GetUtcNow();
                await Db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                Jobs.Enqueue<ResumeMonthlyGiftsJob>(job => job.RunAsync(disputeId, CancellationToken.None));
            }

            return null;
        }

        var collectingHere = gift.DisputeId == disputeId && gift.Status == MonthlyGiftStatus.Active;
        if (notice.PausedAt is not null || notice.ResumedAt is not null)
        {
            if (!collectingHere)
            {
                // Paused in this round already (its email may still be owed), or resumed and no longer collecting here.
                return notice.ResumedAt is null ? notice.Round : null;
            }

            // Collecting again for the ended dispute though its notice says otherwise: resumed at Stripe by a reopening
            // whose job never finished, or moved away and back. This end is a round of its own.
            notice.Round++;
            (notice.PausedAt, notice.SentAt, notice.ResumedAt, notice.Attempts) = (null, null, null, 0);
        }

        if (gift.DisputeId != disputeId || gift.Status is not (MonthlyGiftStatus.Active or MonthlyGiftStatus.Paused))
        {
            // Cancelled, or moved, since the dispute ended: nothing to pause and nothing to say.
            return null;
        }

        // A gift already paused may be one whose pause at Stripe came back by webhook before an earlier run committed, or
        // an older event's word: Stripe is asked all the same (pausing twice changes nothing there).
        if (!string.IsNullOrEmpty(gift.StripeSubscriptionId))
        {
            await Subscriptions.PauseAsync(
                gift.StripeSubscriptionId, MonthlyNoticeKeys.PauseAtStripe(giftId, disputeId, notice.Round), cancellationToken);
        }

        if (await LockGiftAsync(notice, cancellationToken) is not { } locked)
        {
            return null;
        }

        var now = Time.GetUtcNow();
        if (locked.Status == MonthlyGiftStatus.Active)
        {
            locked.Status = MonthlyGiftStatus.Paused;
            Audit.RecordBySite(AuditActions.MonthlyPaused, nameof(MonthlyGift), giftId.ToString(), new { DisputeId = disputeId, locked.StripeSubscriptionId });
        }

        // The move window runs from this pause, whatever an earlier pause (a card's retries run out, say) left here.
        locked.PausedAt = now;
        locked.UpdatedAt = now;
        notice.PausedAt = now;
        var round = await CommitAsync(notice, MonthlyNoticeKeys.Paused(giftId, disputeId, notice.Round), now, transaction, cancellationToken);
        logger.LogInformation("Monthly gift {MonthlyGiftId} paused: dispute {DisputeId} ended", giftId, disputeId);
        return round;
    }
}

/// <summary>
/// When an admin reopens a dispute: a job per monthly gift that its end paused (and that was neither moved nor cancelled
/// since), which resumes it at Stripe and tells the giver.
/// </summary>
internal sealed class ResumeMonthlyGiftsJob(SolidarityDbContext db, IBackgroundJobClient jobs)
{
    public async Task RunAsync(Guid disputeId, CancellationToken cancellationToken)
    {
        if (!await MonthlyNoticeJob.DisputeIsActiveAsync(db, disputeId, cancellationToken))
        {
            return;
        }

        var gifts = await db.MonthlyGiftNotices.AsNoTracking()
            .Where(n => n.DisputeId == disputeId && n.PausedAt != null && n.ResumedAt == null)
            .Where(n => db.MonthlyGifts.Any(g => g.Id == n.MonthlyGiftId && g.DisputeId == disputeId && g.Status == MonthlyGiftStatus.Paused))
            .OrderBy(n => n.MonthlyGiftId)
            .Select(n => n.MonthlyGiftId)
            .ToListAsync(cancellationToken);
        foreach (var giftId in gifts)
        {
            jobs.Enqueue<ResumeMonthlyGiftJob>(job => job.RunAsync(giftId, disputeId, CancellationToken.None));
        }
    }
}

/// <summary>
/// Resumes one monthly gift that its dispute's end paused, the dispute having been reopened, and emails its giver, each
/// once a round: as <see cref="PauseMonthlyGiftJob"/> pauses it, under its notice's lock, with an idempotency key at
/// Stripe (collection resumes, and the metadata names the dispute and branch as before). A gift moved or cancelled since,
/// or a dispute ended again before the job ran, resumes nothing.
/// </summary>
internal sealed class ResumeMonthlyGiftJob(MonthlyNoticeServices services, ILogger<ResumeMonthlyGiftJob> logger)
    : MonthlyNoticeJob(services, forActiveDispute: true)
{
    /// <returns>The round whose pause the gift came out of (by this run or an earlier one); null when nothing resumed.</returns>
    protected override async Task<int?> ChangeAsync(MonthlyGiftNotice notice, IDbContextTransaction transaction, CancellationToken cancellationToken)
    {
        var (giftId, disputeId) = (notice.MonthlyGiftId, notice.DisputeId);
        if (notice.PausedAt is null)
        {
            return null;
        }

        if (notice.ResumedAt is not null)
        {
            return notice.Round;
        }

        var dispute = await Db.Disputes.AsNoTracking()
            .Where(d => d.Id == disputeId).Select(d => new { d.Slug, d.Status }).SingleAsync(cancellationToken);
        var gift = await Db.MonthlyGifts.AsNoTracking().SingleAsync(g => g.Id == giftId, cancellationToken);
        if (!dispute.Status.IsActive() || gift.DisputeId != disputeId || gift.Status is not (MonthlyGiftStatus.Paused or MonthlyGiftStatus.Active))
        {
            // Ended again, or the gift moved or cancelled, before this ran: it stays as it is.
            return null;
        }

        // A gift already collecting may be one whose resumption at Stripe came back by webhook before an earlier run
        // committed, or an older event's word: Stripe is asked all the same (resuming twice changes nothing there).
        if (!string.IsNullOrEmpty(gift.StripeSubscriptionId))
        {
            await Subscriptions.ResumeAsync(
                gift.StripeSubscriptionId, MonthlyGiftMetadata.For(gift.Id, disputeId, dispute.Slug, gift.ChosenBranchId),
                MonthlyNoticeKeys.ResumeAtStripe(giftId, disputeId, notice.Round), cancellationToken);
        }

        if (await LockGiftAsync(notice, cancellationToken) is not { } locked)
        {
            return null;
        }

        var now = Time.GetUtcNow();
        if (locked.Status == MonthlyGiftStatus.Paused)
        {
            locked.Status = MonthlyGiftStatus.Active;
            locked.UpdatedAt = now;
        }

        locked.PausedAt = null;
        notice.ResumedAt = now;
        Audit.RecordBySite(AuditActions.MonthlyResumed, nameof(MonthlyGift), giftId.ToString(), new { DisputeId = disputeId, locked.StripeSubscriptionId });
        var round = await CommitAsync(notice, MonthlyNoticeKeys.Resumed(giftId, disputeId, notice.Round), now, transaction, cancellationToken);
        logger.LogInformation("Monthly gift {MonthlyGiftId} resumed: dispute {DisputeId} reopened", giftId, disputeId);
        return round;
    }
}

/// <summary>
/// Every day: a gift still collecting for a dispute that ended (its pause never enqueued, or lost) is paused now, a gift
/// paused by the end of a dispute an admin has since reopened is resumed, and a gift paused for longer than
/// <see cref="MonthlyGiftMove.Window"/> without being moved is cancelled at Stripe.
/// </summary>
internal sealed class EndUnmovedMonthlyGiftsJob(
    SolidarityDbContext db, PauseMonthlyGiftsJob pauses, ResumeMonthlyGiftsJob resumes, MonthlyGiftCancellation cancellation, TimeProvider time,
    ILogger<EndUnmovedMonthlyGiftsJob> logger)
{
    public const string RecurringJobId = "end-unmoved-monthly-gifts";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // A reopened dispute's gifts that its end paused, whose resumption was never enqueued or was lost, resume now.
        var reopened = await db.MonthlyGiftNotices.AsNoTracking()
            .Where(n => n.PausedAt != null && n.ResumedAt == null)
            .Where(n => db.Disputes.Any(d => d.Id == n.DisputeId && DisputeStatuses.Active.Contains(d.Status)))
            .Where(n => db.MonthlyGifts.Any(g => g.Id == n.MonthlyGiftId && g.DisputeId == n.DisputeId && g.Status == MonthlyGiftStatus.Paused))
            .Select(n => n.DisputeId)
            .Distinct()
            .ToListAsync(cancellationToken);
        foreach (var disputeId in reopened)
        {
            await resumes.RunAsync(disputeId, cancellationToken);
        }

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
            .Where(g => db.MonthlyGiftNotices.Any(n => n.MonthlyGiftId == g.Id && n.DisputeId == g.DisputeId && n.PausedAt != null && n.ResumedAt == null))
            .Where(g => db.Disputes.Any(d => d.Id == g.DisputeId && DisputeStatuses.Past.Contains(d.Status)))
            .OrderBy(g => g.PausedAt)
            .Select(g => g.Id)
            .ToListAsync(cancellationToken);

        // A gift Stripe will not cancel holds back no other: each is tried, and the job fails at the end if any failed.
        var cancelled = await EachAlone.RunAsync(
            unmoved,
            async giftId => !await StillUnmovedAsync(giftId, before, cancellationToken)
                || (await cancellation.CancelAsync(giftId, AuditTrail.SiteActor, AuditActions.MonthlyCancelledUnmoved, cancellationToken)
                    ? true
                    : throw new InvalidOperationException($"Stripe did not cancel monthly gift {giftId}; the job will try again.")),
            logger,
            "unmoved monthly gifts",
            cancellationToken);
        if (cancelled > 0)
        {
            logger.LogInformation("Cancelled {Count} monthly gifts paused for {Days} days without being moved", cancelled, MonthlyGiftMove.Window.Days);
        }
    }

    /// <summary>
    /// Asked again just before each cancellation, which cannot be undone: a giver may have moved the gift, or an admin
    /// reopened its dispute, since the list was read.
    /// </summary>
    private Task<bool> StillUnmovedAsync(Guid giftId, DateTimeOffset pausedBefore, CancellationToken cancellationToken) =>
        db.MonthlyGifts.AsNoTracking()
            .Where(g => g.Id == giftId && g.Status == MonthlyGiftStatus.Paused && g.PausedAt < pausedBefore)
            .Where(g => db.MonthlyGiftNotices.Any(n => n.MonthlyGiftId == g.Id && n.DisputeId == g.DisputeId && n.PausedAt != null && n.ResumedAt == null))
            .AnyAsync(g => db.Disputes.Any(d => d.Id == g.DisputeId && DisputeStatuses.Past.Contains(d.Status)), cancellationToken);
}
