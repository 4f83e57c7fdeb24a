namespace Solidarity.Web.Pages.Admin.Donors;

internal sealed class RetentionSettings
{
    public const string Section = "Privacy";

    /// <summary>How long the name, email and message of a gift that was never paid (pending, expired, failed) are kept.</summary>
    public TimeSpan UnpaidDonationsKeptFor { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long the text of a rejected message of support is kept after it was rejected.</summary>
    public TimeSpan RejectedMessagesKeptFor { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>
/// Nightly, clears what the site no longer needs to keep about people: the name, email and message of a gift that was
/// never paid, and the text of a message a moderator rejected, each after its period in <see cref="RetentionSettings"/>.
/// Giving to a strike fund says something about a person's politics; a form filled in and abandoned says it too, and
/// serves no purpose once the checkout is long over. The rows stay (the books and the moderation record keep their
/// shape); only the personal text goes. The audit log records how many rows were cleared, never what they held.
/// Safe to run twice: a cleared row no longer matches.
/// </summary>
internal sealed class ClearExpiredPersonalDataJob(SolidarityDbContext db, AuditTrail audit, IOptions<RetentionSettings> settings, TimeProvider time)
{
    public const string RecurringJobId = "clear-expired-personal-data";

    /// <summary>What a cleared message shows in its place, to moderators only.</summary>
    public const string UnpaidMessageCleared = "Removed: the gift this message came with was never paid.";

    public const string RejectedMessageCleared = "Removed some time after it was rejected.";

    public async Task<(int Donations, int Messages)> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var unpaidBefore = now - settings.Value.UnpaidDonationsKeptFor;
        var rejectedBefore = now - settings.Value.RejectedMessagesKeptFor;
        DonationStatus[] neverPaid = [DonationStatus.Pending, DonationStatus.Expired, DonationStatus.Failed];

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var unpaid = db.Donations.Where(d => neverPaid.Contains(d.Status) && d.Method == DonationMethod.Card && d.CreatedAt < unpaidBefore);
        var unpaidMessages = await ClearMessagesAsync(
            db.SupportMessages.Where(m => m.DonationId != null && unpaid.Any(d => d.Id == m.DonationId)), UnpaidMessageCleared, cancellationToken);
        var donations = await ForgetGiversAsync(unpaid, cancellationToken);
        // A monthly gift whose checkout was never completed: no subscription ever started.
        var unstarted = db.MonthlyGifts.Where(g => g.StripeSubscriptionId == null
            && (g.Status == MonthlyGiftStatus.Pending || g.Status == MonthlyGiftStatus.Cancelled) && g.CreatedAt < unpaidBefore);
        unpaidMessages += await ClearMessagesAsync(
            db.SupportMessages.Where(m => m.MonthlyGiftId != null && unstarted.Any(g => g.Id == m.MonthlyGiftId)), UnpaidMessageCleared, cancellationToken);
        donations += await ForgetGiversAsync(unstarted, cancellationToken);
        var rejected = await ClearMessagesAsync(
            db.SupportMessages.Where(m => m.Status == ModerationStatus.Rejected && m.ModeratedAt < rejectedBefore
                && m.Body != UnpaidMessageCleared && m.Body != DonorErasure.MessageRemoved),
            RejectedMessageCleared,
            cancellationToken);

        if (donations + unpaidMessages + rejected > 0)
        {
            audit.RecordBySite(AuditActions.PersonalDataCleared, "retention", now.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), new
            {
                UnpaidDonations = donations,
                UnpaidDonationMessages = unpaidMessages,
                RejectedMessages = rejected,
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (donations, unpaidMessages + rejected);
    }

    /// <summary>
    /// Replaces the text of <paramref name="messages"/> with <paramref name="notice"/> and forgets who wrote them, and any
    /// reason for rejecting them, which can quote the text.
    /// </summary>
    private static Task<int> ClearMessagesAsync(IQueryable<SupportMessage> messages, string notice, CancellationToken cancellationToken) =>
        messages
            .Where(m => m.Body != notice)
            .ExecuteUpdateAsync(
                m => m.SetProperty(x => x.Body, notice).SetProperty(x => x.AuthorName, (string?)null)
                    .SetProperty(x => x.Town, (string?)null).SetProperty(x => x.OrganisationName, (string?)null)
                    .SetProperty(x => x.RejectionReason, x => x.RejectionReason == null ? null : SupportMessage.ReasonRemoved),
                cancellationToken);

    /// <summary>Forgets who gave <paramref name="gifts"/>: their names, their email and the key they were counted by.</summary>
    private static Task<int> ForgetGiversAsync<TGift>(IQueryable<TGift> gifts, CancellationToken cancellationToken)
        where TGift : Gift =>
        gifts
            .Where(g => g.Email != null || g.DonorName != null || g.PublicName != null || g.OrganisationName != null || g.DonorKey != null)
            .ExecuteUpdateAsync(
                g => g.SetProperty(x => x.Email, (string?)null).SetProperty(x => x.DonorName, (string?)null)
                    .SetProperty(x => x.PublicName, (string?)null).SetProperty(x => x.OrganisationName, (string?)null)
                    .SetProperty(x => x.DonorKey, (string?)null),
                cancellationToken);
}
