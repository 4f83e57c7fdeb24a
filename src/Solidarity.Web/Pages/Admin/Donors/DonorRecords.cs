using System.Linq.Expressions;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Solidarity.Web.Pages.Admin.Donors;

internal sealed record DonorDonation(
    Guid Id, DateTimeOffset Date, string Dispute, long AmountPence, long FeeCoverPence, string Currency, DonationMethod Method,
    DonationStatus Status, string? DonorName, string? PublicName, string? OrganisationName);

internal sealed record DonorMessage(Guid Id, DateTimeOffset CreatedAt, string Dispute, string? AuthorName, string? OrganisationName, string? Town, string Body, ModerationStatus Status);

internal sealed record DonorReceipt(string Number, ReceiptKind Kind, DateTimeOffset IssuedAt, long AmountPence, string Currency);

internal sealed record DonorMonthlyGift(DateTimeOffset CreatedAt, string Dispute, long AmountPence, string Currency, MonthlyGiftStatus Status);

/// <summary>
/// What the admin sees of a gift found by its receipt's number, to recognise the donor who asked; of a gift given with an
/// email address, nothing (<see cref="Donation"/> null), since its donor is found by that address, and receipt numbers,
/// which run in sequence, must not make a list of donors to browse.
/// </summary>
internal sealed record GiftRecord(DonorDonation? Donation, string? Reference, DateTimeOffset? ErasedAt, IReadOnlyList<DonorReceipt> Receipts)
{
    public static readonly GiftRecord GivenWithEmail = new(null, null, null, []);
}

/// <summary>
/// What the admin sees of one address: enough to recognise the donor and the request, no more. A monthly gift counts on
/// its own: one whose checkout was never finished has no donation yet, and still holds the giver's name and address.
/// </summary>
internal sealed record DonorSummary(
    IReadOnlyList<DonorDonation> Donations, IReadOnlyList<DonorMessage> Messages, IReadOnlyList<DonorReceipt> Receipts,
    IReadOnlyList<DonorMonthlyGift> MonthlyGifts)
{
    public bool IsEmpty => Donations.Count == 0 && MonthlyGifts.Count == 0;

    public bool HasOrganisation => Donations.Any(d => !string.IsNullOrWhiteSpace(d.OrganisationName));
}

/// <summary>Everything held about one address, as the file given to the donor who asked for it.</summary>
internal sealed record DonorExport(
    string About,
    DateTimeOffset ExportedAt,
    string Email,
    IReadOnlyList<DonorExport.Donation> Donations,
    IReadOnlyList<DonorExport.MonthlyGift> MonthlyGifts,
    IReadOnlyList<DonorExport.Message> Messages,
    IReadOnlyList<DonorExport.Document> Receipts,
    IReadOnlyList<DonorExport.Delivery> EmailDeliveries)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },

        // The file is read by a person: "£" and "'" as themselves, not as \u escapes. It is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    internal sealed record Donation(
        Guid Id, string Dispute, DateTimeOffset CreatedAt, DateTimeOffset? PaidAt, DonationMethod Method, DonationStatus Status,
        long AmountPence, long FeeCoverPence, string Currency, string? DonorName, string? Email, string? PublicName, string? OrganisationName,
        bool ShowAmountPublicly, DateTimeOffset? PrivacyConsentAt, string? ChosenBranch, string? Reference, string? ReversalReason,
        string? StripeCheckoutSessionId,
        string? StripePaymentIntentId, string? StripeChargeId, IReadOnlyList<Allocation> Allocations);

    internal sealed record Allocation(string Branch, long AmountPence);

    internal sealed record MonthlyGift(
        Guid Id, string Dispute, DateTimeOffset CreatedAt, MonthlyGiftStatus Status, long AmountPence, long FeeCoverPence, string Currency,
        string? DonorName, string? Email, string? PublicName, string? OrganisationName, bool ShowAmountPublicly, DateTimeOffset? PrivacyConsentAt,
        string? ChosenBranch, DateTimeOffset? NextPaymentAt, DateTimeOffset? PausedAt, DateTimeOffset? CancelledAt, string? StripeSubscriptionId,
        string? StripeCustomerId, string? MovedFromDispute, DateTimeOffset? MovedAt, IReadOnlyList<FailedPayment> FailedPayments);

    /// <summary>A month's payment Stripe could not take, as the admins see it.</summary>
    internal sealed record FailedPayment(
        string StripeInvoiceId, long AmountPence, int Attempts, DateTimeOffset FirstFailedAt, DateTimeOffset LastFailedAt,
        DateTimeOffset? NextAttemptAt, DateTimeOffset? PaidAt);

    internal sealed record Message(
        Guid Id, Guid? DonationId, string Dispute, DateTimeOffset CreatedAt, string? AuthorName, string? OrganisationName, string? Town,
        string Body, ModerationStatus Status, DateTimeOffset? ModeratedAt, string? RejectionReason);

    internal sealed record Document(
        Guid DonationId, string Number, ReceiptKind Kind, DateTimeOffset IssuedAt, long AmountPence, string Currency, string? RefundKey,
        DateTimeOffset? DownloadLinkExpiresAt);

    /// <param name="About">What the email carried: a receipt or credit note by its number, a statement of giving, a paused gift's notice.</param>
    internal sealed record Delivery(
        string About, DateTimeOffset CreatedAt, int Attempts, DateTimeOffset? LastAttemptAt, DateTimeOffset? SentAt, string? MessageId,
        string? LastError);
}

/// <summary>Reads a donor's records: the summary for the admin page and the export for the donor.</summary>
internal sealed class DonorRecords(SolidarityDbContext db, TimeProvider time)
{
    public const string ExportAbout =
        "Everything the organisation holds about this email address: donations, how each was divided between branches, " +
        "monthly gifts (with any move to another dispute and any month's payment that failed), messages of support sent with them, " +
        "receipts and credit notes, and the emails that carried them. Amounts are in pence.";

    /// <summary>A one-off gift or a monthly one given with <paramref name="email"/>, compared case-insensitively: lower("Email") is indexed for it.</summary>
    public static Expression<Func<T, bool>> GivenWith<T>(string email)
        where T : Gift
    {
        var normalised = DonorEmail.Normalise(email);
#pragma warning disable CA1304, CA1311, CA1862 // EF turns ToLower() into SQL lower(), which the lower("Email") index matches; neither a culture nor a StringComparison translates.
        return g => g.Email != null && g.Email.ToLower() == normalised;
#pragma warning restore CA1304, CA1311, CA1862
    }

    public async Task<DonorSummary> SummaryAsync(string email, CancellationToken cancellationToken)
    {
        var donations = await Shown(db.Donations.AsNoTracking().Where(GivenWith<Donation>(email))).ToListAsync(cancellationToken);
        var ids = donations.Select(d => d.Id).ToList();
        var gifts = await db.MonthlyGifts.AsNoTracking()
            .Where(GivenWith<MonthlyGift>(email))
            .OrderBy(g => g.CreatedAt).ThenBy(g => g.Id)
            .Select(g => new { g.Id, Gift = new DonorMonthlyGift(
                g.CreatedAt, db.Disputes.Where(x => x.Id == g.DisputeId).Select(x => x.Title).First(), g.AmountPence, g.Currency, g.Status) })
            .ToListAsync(cancellationToken);
        var giftIds = gifts.Select(g => g.Id).ToList();
        var messages = await db.SupportMessages.AsNoTracking()
            .Where(m => (m.DonationId != null && ids.Contains(m.DonationId.Value)) || (m.MonthlyGiftId != null && giftIds.Contains(m.MonthlyGiftId.Value)))
            .OrderBy(m => m.CreatedAt)
            .Select(m => new DonorMessage(
                m.Id, m.CreatedAt, db.Disputes.Where(x => x.Id == m.DisputeId).Select(x => x.Title).First(),
                m.AuthorName, m.OrganisationName, m.Town, m.Body, m.Status))
            .ToListAsync(cancellationToken);
        return new DonorSummary(donations, messages, await ReceiptsAsync(ids, cancellationToken), gifts.Select(g => g.Gift).ToList());
    }

    /// <summary>
    /// The gift whose receipt or credit note has <paramref name="number"/> (as printed, or typed in lower case), for a donor
    /// who gave without an email address; null when no document has that number.
    /// </summary>
    public async Task<GiftRecord?> GiftByReceiptAsync(string number, CancellationToken cancellationToken)
    {
        var (typed, upper) = (number.Trim(), number.Trim().ToUpperInvariant());
        var donationId = await db.Receipts.AsNoTracking()
            .Where(r => r.Number == typed || r.Number == upper)
            .Select(r => (Guid?)r.DonationId)
            .FirstOrDefaultAsync(cancellationToken);
        var gift = donationId is { } id
            ? await db.Donations.AsNoTracking()
                .Where(d => d.Id == id).Select(d => new { d.Reference, GivenWithEmail = d.Email != null, d.ErasedAt }).SingleOrDefaultAsync(cancellationToken)
            : null;
        if (gift is null || gift.GivenWithEmail)
        {
            return gift is null ? null : GiftRecord.GivenWithEmail;
        }

        var donation = await Shown(db.Donations.AsNoTracking().Where(d => d.Id == donationId)).SingleAsync(cancellationToken);
        return new GiftRecord(donation, gift.Reference, gift.ErasedAt, await ReceiptsAsync([donation.Id], cancellationToken));
    }

    /// <summary>Donations as the admin sees them, oldest first.</summary>
    private IQueryable<DonorDonation> Shown(IQueryable<Donation> donations) =>
        donations
            .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id)
            .Select(d => new DonorDonation(
                d.Id, d.PaidAt ?? d.CreatedAt, db.Disputes.Where(x => x.Id == d.DisputeId).Select(x => x.Title).First(),
                d.AmountPence, d.FeeCoverPence, d.Currency, d.Method, d.Status, d.DonorName, d.PublicName, d.OrganisationName));

    /// <summary>The receipts and credit notes of the donations, in the order they were issued.</summary>
    private Task<List<DonorReceipt>> ReceiptsAsync(IReadOnlyList<Guid> donationIds, CancellationToken cancellationToken) =>
        db.Receipts.AsNoTracking()
            .Where(r => donationIds.Contains(r.DonationId))
            .OrderBy(r => r.IssuedAt).ThenBy(r => r.Number)
            .Select(r => new DonorReceipt(r.Number, r.Kind, r.IssuedAt, r.AmountPence, r.Currency))
            .ToListAsync(cancellationToken);

    public async Task<DonorExport> ExportAsync(string email, CancellationToken cancellationToken)
    {
        var donations = await db.Donations.AsNoTracking()
            .Where(GivenWith<Donation>(email))
            .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id)
            .Select(d => new DonorExport.Donation(
                d.Id,
                db.Disputes.Where(x => x.Id == d.DisputeId).Select(x => x.Title).First(),
                d.CreatedAt, d.PaidAt, d.Method, d.Status, d.AmountPence, d.FeeCoverPence, d.Currency,
                d.DonorName, d.Email, d.PublicName, d.OrganisationName, d.ShowAmountPublicly, d.PrivacyConsentAt,
                db.Branches.Where(b => b.Id == d.ChosenBranchId).Select(b => b.Name + " (" + b.Code + ")").FirstOrDefault(),
                d.Reference, d.ReversalReason, d.StripeCheckoutSessionId, d.StripePaymentIntentId, d.StripeChargeId,
                d.Allocations
                    .OrderBy(a => a.BranchId)
                    .Select(a => new DonorExport.Allocation(
                        db.Branches.Where(b => b.Id == a.BranchId).Select(b => b.Name + " (" + b.Code + ")").First(), a.AmountPence))
                    .ToList()))
            .ToListAsync(cancellationToken);
        var ids = donations.Select(d => d.Id).ToList();
        var monthly = await db.MonthlyGifts.AsNoTracking()
            .Where(GivenWith<MonthlyGift>(email))
            .OrderBy(g => g.CreatedAt).ThenBy(g => g.Id)
            .Select(g => new DonorExport.MonthlyGift(
                g.Id, db.Disputes.Where(x => x.Id == g.DisputeId).Select(x => x.Title).First(), g.CreatedAt, g.Status, g.AmountPence,
                g.FeeCoverPence, g.Currency, g.DonorName, g.Email, g.PublicName, g.OrganisationName, g.ShowAmountPublicly, g.PrivacyConsentAt,
                db.Branches.Where(b => b.Id == g.ChosenBranchId).Select(b => b.Name + " (" + b.Code + ")").FirstOrDefault(),
                g.NextPaymentAt, g.PausedAt, g.CancelledAt, g.StripeSubscriptionId, g.StripeCustomerId,
                db.Disputes.Where(x => x.Id == g.MovedFromDisputeId).Select(x => x.Title).FirstOrDefault(), g.MovedAt,
                db.MonthlyPaymentFailures.Where(f => f.MonthlyGiftId == g.Id).OrderBy(f => f.FirstFailedAt)
                    .Select(f => new DonorExport.FailedPayment(
                        f.StripeInvoiceId, f.AmountPence, f.Attempts, f.FirstFailedAt, f.LastFailedAt, f.NextAttemptAt, f.PaidAt))
                    .ToList()))
            .ToListAsync(cancellationToken);
        var giftIds = monthly.Select(g => g.Id).ToList();
        var messages = await db.SupportMessages.AsNoTracking()
            .Where(m => (m.DonationId != null && ids.Contains(m.DonationId.Value)) || (m.MonthlyGiftId != null && giftIds.Contains(m.MonthlyGiftId.Value)))
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .Select(m => new DonorExport.Message(
                m.Id, m.DonationId, db.Disputes.Where(x => x.Id == m.DisputeId).Select(x => x.Title).First(), m.CreatedAt,
                m.AuthorName, m.OrganisationName, m.Town, m.Body, m.Status, m.ModeratedAt, m.RejectionReason))
            .ToListAsync(cancellationToken);
        var receipts = await db.Receipts.AsNoTracking()
            .Where(r => ids.Contains(r.DonationId))
            .OrderBy(r => r.IssuedAt).ThenBy(r => r.Number)
            .Select(r => new { r.Id, Document = new DonorExport.Document(
                r.DonationId, r.Number, r.Kind, r.IssuedAt, r.AmountPence, r.Currency, r.RefundKey, r.DownloadTokenExpiresAt) })
            .ToListAsync(cancellationToken);
        var about = receipts.ToDictionary(r => SendReceiptEmailJob.DeliveryKey(r.Id), r => r.Document.Number);
        foreach (var (key, what) in await OtherDeliveriesAsync(ids, giftIds, cancellationToken))
        {
            about[key] = what;
        }

        var keys = about.Keys.ToList();
        var deliveries = await db.EmailDeliveries.AsNoTracking()
            .Where(e => keys.Contains(e.Key))
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Key)
            .Select(e => new { e.Key, e.CreatedAt, e.Attempts, e.LastAttemptAt, e.SentAt, e.MessageId, e.LastError })
            .ToListAsync(cancellationToken);

        return new DonorExport(
            ExportAbout,
            time.GetUtcNow(),
            DonorEmail.Normalise(email),
            donations,
            monthly,
            messages,
            receipts.Select(r => r.Document).ToList(),
            deliveries.Select(e => new DonorExport.Delivery(about[e.Key], e.CreatedAt, e.Attempts, e.LastAttemptAt, e.SentAt, e.MessageId, e.LastError)).ToList());
    }

    /// <summary>The delivery keys of every email that went to the address: receipts and credit notes, and the others.</summary>
    public async Task<IReadOnlyList<string>> DeliveryKeysAsync(string email, CancellationToken cancellationToken)
    {
        var donationIds = await db.Donations.Where(GivenWith<Donation>(email)).Select(d => d.Id).ToListAsync(cancellationToken);
        var giftIds = await db.MonthlyGifts.Where(GivenWith<MonthlyGift>(email)).Select(g => g.Id).ToListAsync(cancellationToken);
        var receiptIds = await db.Receipts.Where(r => donationIds.Contains(r.DonationId)).Select(r => r.Id).ToListAsync(cancellationToken);
        return
        [
            .. receiptIds.Select(SendReceiptEmailJob.DeliveryKey),
            .. (await OtherDeliveriesAsync(donationIds, giftIds, cancellationToken)).Select(d => d.Key),
        ];
    }

    /// <summary>
    /// The emails other than receipts that went to the address, by their delivery keys: statements of giving that list
    /// its donations, and the notices that its monthly gifts were paused when their disputes ended.
    /// </summary>
    public async Task<IReadOnlyList<(string Key, string About)>> OtherDeliveriesAsync(
        IReadOnlyList<Guid> donationIds, IReadOnlyList<Guid> giftIds, CancellationToken cancellationToken)
    {
        var statements = await db.YearStatements.AsNoTracking()
            .Where(s => s.DonationIds.Any(id => donationIds.Contains(id)))
            .Select(s => new { s.Id, s.Year })
            .ToListAsync(cancellationToken);
        var notices = await db.MonthlyGiftNotices.AsNoTracking()
            .Where(n => giftIds.Contains(n.MonthlyGiftId))
            .Select(n => new { n.MonthlyGiftId, n.DisputeId, n.Round, Resumed = n.ResumedAt != null })
            .ToListAsync(cancellationToken);
        return
        [
            .. statements.Select(s => (SendYearStatementJob.DeliveryKey(s.Id), $"statement of giving for {s.Year}")),
            .. notices.SelectMany(n => MonthlyNoticeKeys.DeliveriesOf(n.MonthlyGiftId, n.DisputeId, n.Round, n.Resumed)),
        ];
    }
}
