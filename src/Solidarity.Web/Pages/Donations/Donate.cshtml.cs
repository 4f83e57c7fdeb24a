using Solidarity.Core.Disputes;
using Solidarity.Web.Pages.Disputes;
using Solidarity.Web.Pages.Donations.Checkout;
using Solidarity.Web.Pages.Messages;

namespace Solidarity.Web.Pages.Donations;

internal sealed class DonateModel(
    SolidarityDbContext db,
    ICheckoutGateway checkout,
    DonorBrowser donorBrowser,
    DonationAttempts attempts,
    SiteAddress siteAddress,
    FeeEstimator fees,
    SupporterKeys supporters,
    CheckoutLimits limits,
    CardTesting cardTesting,
    TimeProvider clock,
    ILogger<DonateModel> logger) : PageModel
{
    public const long MinimumPence = 100;
    public const long MaximumPence = 1_000_000;
    public const int MaxMessageLength = SupportMessage.MaxBodyLength;
    public const string ShareAcrossAll = "all";
    public const string Once = "once";
    public const string Monthly = "monthly";

    /// <summary>What a donor is told when too many donations were started from their address, their email or the whole site.</summary>
    public static string TooManyMessage(int minutes) =>
        $"So many donations have been started from here in a short time that new ones are paused. Nothing was charged, " +
        $"and your details are still in the form: please try again in {minutes} minute{(minutes == 1 ? "" : "s")}.";

    /// <summary>What a donor is told when several card payments started from their connection or address were declined.</summary>
    public static string DeclinedCardsMessage(int hours) =>
        "Several card payments started from this connection or email address were declined in the last hour, so new card " +
        "donations from it are paused, to protect cardholders whose stolen cards are tried on donation forms. Nothing was " +
        $"charged, and your details are still in the form: please try again in {hours} hour{(hours == 1 ? "" : "s")}, or " +
        "give another way shown on the dispute's page.";

    public const string PaymentsUnavailableMessage =
        "Card payments are unavailable right now; nothing was charged. Please try again in a few minutes.";

    /// <summary>The amounts offered ready to choose, each between <see cref="MinimumPence"/> and <see cref="MaximumPence"/>.</summary>
    public static readonly long[] PresetPence = [500, 1_000, 2_500, 5_000];

    /// <summary>A pending donation can be picked up again from the cancel link for as long as its session could still be paid.</summary>
    public static readonly TimeSpan CancelledPrefillWindow = TimeSpan.FromHours(24);

    [BindProperty]
    public DonationInput Input { get; set; } = new();

    public DisputeForDonation Dispute { get; private set; } = default!;

    public bool ReturnedFromCancelledPayment { get; private set; }

    public bool PaymentsUnavailable { get; private set; }

    public FeeEstimator Fees => fees;

    /// <summary>The proof that the form's attempt id is this site's, sent with it (<see cref="DonationAttempts"/>).</summary>
    public string AttemptProof => attempts.ProofOf(Input.AttemptId);

    /// <summary>The gift in pence when the form holds a valid amount, for showing the fee and total server-side.</summary>
    public long? AmountPence => ParseAmount(Input, out var pence) is null ? pence : null;

    public async Task<IActionResult> OnGetAsync(string slug, Guid? cancelled, CancellationToken cancellationToken)
    {
        if (await LoadDisputeAsync(slug, cancellationToken) is not { } dispute)
        {
            return NotFound();
        }

        Dispute = dispute;
        // Only the browser that made the donation gets its details back: the cancel address can be shared,
        // logged or seen at Stripe, and must show nobody else the donor's name, email or message.
        if (cancelled is { } donationId && dispute.AcceptsDonations && donorBrowser.MadeDonation(HttpContext, donationId))
        {
            var since = clock.GetUtcNow() - CancelledPrefillWindow;
            var pending = await db.Donations.AsNoTracking()
                .Where(d => d.Id == donationId && d.DisputeId == dispute.Id && d.Method == DonationMethod.Card
                    && d.Status == DonationStatus.Pending && d.CreatedAt >= since)
                .Select(d => new CancelledGift(
                    Once, d.AmountPence, d.FeeCoverPence, d.ChosenBranchId, d.PublicName, d.ShowAmountPublicly, d.OrganisationName, d.DonorName, d.Email,
                    db.SupportMessages.Where(m => m.DonationId == d.Id).Select(m => m.Body).FirstOrDefault()))
                .SingleOrDefaultAsync(cancellationToken)
                ?? await db.MonthlyGifts.AsNoTracking()
                    .Where(g => g.Id == donationId && g.DisputeId == dispute.Id && g.Status == MonthlyGiftStatus.Pending && g.CreatedAt >= since)
                    .Select(g => new CancelledGift(
                        Monthly, g.AmountPence, g.FeeCoverPence, g.ChosenBranchId, g.PublicName, g.ShowAmountPublicly, g.OrganisationName, g.DonorName,
                        g.Email, db.SupportMessages.Where(m => m.MonthlyGiftId == g.Id).Select(m => m.Body).FirstOrDefault()))
                    .SingleOrDefaultAsync(cancellationToken);
            if (pending is not null)
            {
                ReturnedFromCancelledPayment = true;
                var isPreset = PresetPence.Contains(pending.AmountPence);
                Input = new DonationInput
                {
                    Frequency = pending.Frequency,
                    Preset = isPreset ? pending.AmountPence.ToString(CultureInfo.InvariantCulture) : null,
                    OtherAmount = isPreset ? null : (pending.AmountPence / 100m).ToString("0.00", CultureInfo.InvariantCulture),
                    Beneficiary = pending.ChosenBranchId?.ToString() ?? ShareAcrossAll,
                    ShowPublicName = pending.PublicName is not null,
                    ShowAmount = pending.ShowAmountPublicly,
                    PublicName = pending.PublicName,
                    OrganisationName = pending.OrganisationName,
                    DonorName = pending.DonorName,
                    Email = pending.Email,
                    Message = pending.Message,
                    CoverFee = pending.FeeCoverPence > 0,
                };
            }
        }

        Input.AttemptId = Guid.CreateVersion7();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string slug, CancellationToken cancellationToken)
    {
        if (await LoadDisputeAsync(slug, cancellationToken) is not { } dispute)
        {
            return NotFound();
        }

        Dispute = dispute;
        if (!dispute.AcceptsDonations)
        {
            return Page();
        }

        // An id comes back with the site's proof, or is replaced before anything (a form shown again, above all) could give
        // it one: a form from before the pages carried an id, or an id read from a cancel or thank-you link, makes a new gift.
        if (Input.AttemptId == Guid.Empty || !attempts.Proves(Input.AttemptProof, Input.AttemptId))
        {
            // A hidden field is no one's to correct: one sent as something other than an id is simply replaced.
            ModelState.Remove($"{nameof(Input)}.{nameof(DonationInput.AttemptId)}");
            Input.AttemptId = Guid.CreateVersion7();
        }

        if (ParseAmount(Input, out var amountPence) is { } amountError)
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(DonationInput.OtherAmount)}", amountError);
        }

        Guid? chosenBranch = null;
        if (Input.Beneficiary != ShareAcrossAll)
        {
            if (Guid.TryParse(Input.Beneficiary, out var branchId) && dispute.Branches.Any(b => b.BranchId == branchId))
            {
                chosenBranch = branchId;
            }
            else
            {
                ModelState.AddModelError($"{nameof(Input)}.{nameof(DonationInput.Beneficiary)}",
                    "Choose one of this dispute's branches, or share your donation across all of them.");
            }
        }

        if (Input.Frequency is not (Once or Monthly))
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(DonationInput.Frequency)}", "Choose whether to give once or every month.");
        }

        if (Input.ShowPublicName && string.IsNullOrWhiteSpace(Input.PublicName))
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(DonationInput.PublicName)}",
                "Type the name to show, or choose to stay anonymous.");
        }

        if (Input.ShowAmount && !(Input.ShowPublicName || !string.IsNullOrWhiteSpace(Input.OrganisationName)))
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(DonationInput.ShowAmount)}",
                "An amount is shown only beside a name: choose to show a name, give an organisation's name, or untick the amount.");
        }

        // Names and the email are single lines of printable text (PostgreSQL refuses a NUL, say); the message
        // follows the same rules as one written on its own: printable, and at most two links.
        TypedText.CheckLine(Input.PublicName, ModelState, $"{nameof(Input)}.{nameof(DonationInput.PublicName)}");
        TypedText.CheckLine(Input.OrganisationName, ModelState, $"{nameof(Input)}.{nameof(DonationInput.OrganisationName)}");
        TypedText.CheckLine(Input.DonorName, ModelState, $"{nameof(Input)}.{nameof(DonationInput.DonorName)}");
        TypedText.CheckLine(Input.Email, ModelState, $"{nameof(Input)}.{nameof(DonationInput.Email)}");
        var message = MessageRules.BodyAsStored(Input.Message) is null
            ? null
            : MessageRules.CheckBody(Input.Message, ModelState, $"{nameof(Input)}.{nameof(DonationInput.Message)}");

        if (!ModelState.IsValid)
        {
            return Page();
        }

        // The gift the form describes, made once: compared with a gift the same form made before, else saved as a new one.
        var now = clock.GetUtcNow();
        Gift described = Input.Frequency == Monthly
            ? FromForm(new MonthlyGift { Status = MonthlyGiftStatus.Pending, UpdatedAt = now }, dispute, chosenBranch, amountPence, now)
            : FromForm(new Donation { Method = DonationMethod.Card, Status = DonationStatus.Pending }, dispute, chosenBranch, amountPence, now);
        if (await SentAgainAsync(dispute, described, message, cancellationToken) is { } again)
        {
            return again;
        }

        // Counted only once the form is valid, and before anything is stored or sent to Stripe.
        if (await limits.TryStartAsync(HttpContext.Connection.RemoteIpAddress, Input.Email!, cancellationToken) is { } refusal)
        {
            var wait = refusal.Wait;
            ModelState.AddModelError("", refusal.CardTesting
                ? DeclinedCardsMessage(Math.Max(1, (int)Math.Ceiling(wait.TotalHours)))
                : TooManyMessage(Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes))));
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Page();
        }

        described.Id = Input.AttemptId;
        if (described is MonthlyGift gift)
        {
            // Stripe Checkout in subscription mode: each month's payment becomes a donation when Stripe reports its invoice paid.
            db.MonthlyGifts.Add(gift);
            return await SaveAsync(gift, message, cancellationToken)
                ? await CheckoutAsync(gift, MonthlyStart(gift, dispute), cancellationToken)
                : await SentAgainAsync(dispute, described, message, cancellationToken) ?? Page();
        }

        var donation = (Donation)described;
        donation.Allocations = Allocate(donation, dispute);
        db.Donations.Add(donation);
        if (!await SaveAsync(donation, message, cancellationToken))
        {
            return await SentAgainAsync(dispute, described, message, cancellationToken) ?? Page();
        }

        cardTesting.RememberClient(donation.Id, HttpContext.Connection.RemoteIpAddress);
        return await CheckoutAsync(donation, OneOffStart(donation, dispute), cancellationToken);
    }

    private Func<Uri, Task<StartedCheckout>> OneOffStart(Donation donation, DisputeForDonation dispute) => siteBase => checkout.StartAsync(
        new CheckoutRequest(
            donation.Id,
            dispute.Slug,
            dispute.Title,
            donation.ChargedPence,
            donation.Email!,
            siteBase,
            SuccessUrl: $"{siteBase}donations/{donation.Id}/thank-you?session_id={{CHECKOUT_SESSION_ID}}",
            CancelUrl: $"{siteBase}disputes/{Uri.EscapeDataString(dispute.Slug)}/donate?cancelled={donation.Id}"),
        HttpContext.RequestAborted);

    private Func<Uri, Task<StartedCheckout>> MonthlyStart(MonthlyGift gift, DisputeForDonation dispute) => siteBase => checkout.StartMonthlyAsync(
        new MonthlyCheckoutRequest(
            gift.Id,
            dispute.Id,
            dispute.Slug,
            dispute.Title,
            gift.ChosenBranchId,
            gift.ChargedPence,
            gift.Email!,
            siteBase,
            SuccessUrl: $"{siteBase}monthly/{gift.Id}/thank-you",
            CancelUrl: $"{siteBase}disputes/{Uri.EscapeDataString(dispute.Slug)}/donate?cancelled={gift.Id}"),
        HttpContext.RequestAborted);

    /// <summary>How long a form sent again waits for the Checkout session its first sending is still opening.</summary>
    private static readonly TimeSpan FirstSendingPatience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The form sent again: its gift is already made (<see cref="DonationInput.AttemptId"/>) and still waits for payment, and
    /// the form still says everything it said (<paramref name="described"/>, <paramref name="message"/>). The giver goes to
    /// that gift's Checkout session, asked of Stripe again under the same idempotency key, so that it is the same session;
    /// nothing new is stored or counted. Anything else is a new gift, with an id of its own: the gift paid, or the form
    /// changed since, not only its amount: a giver who chose to stay anonymous, or took their message back, after "payments
    /// unavailable" must not be listed under the name they withdrew.
    /// </summary>
    /// <returns>Where the giver goes; null when this sending makes a new gift.</returns>
    private async Task<IActionResult?> SentAgainAsync(DisputeForDonation dispute, Gift described, string? message, CancellationToken cancellationToken)
    {
        var id = Input.AttemptId;
        Gift? gift = Input.Frequency == Monthly
            ? await db.MonthlyGifts.SingleOrDefaultAsync(g => g.Id == id && g.Status == MonthlyGiftStatus.Pending, cancellationToken)
            : await db.Donations.SingleOrDefaultAsync(d => d.Id == id && d.Method == DonationMethod.Card && d.Status == DonationStatus.Pending, cancellationToken);
        if (gift is null || gift.DisputeId != dispute.Id || !SaysTheSame(gift, described)
            || await db.SupportMessages.Where(m => m.DonationId == id || m.MonthlyGiftId == id).Select(m => m.Body).FirstOrDefaultAsync(cancellationToken) != message)
        {
            // The id is taken by a gift this sending cannot pick up (paid, changed since, or of the other frequency): this
            // sending makes a new gift under an id of its own.
            if (gift is not null
                || await db.Donations.AnyAsync(d => d.Id == id, cancellationToken) || await db.MonthlyGifts.AnyAsync(g => g.Id == id, cancellationToken))
            {
                Input.AttemptId = Guid.CreateVersion7();
            }

            return null;
        }

        // A first sending moments ago may still be opening the session, whose id it stores as soon as Stripe gives it; an
        // older one found card payments unavailable, and this sending asks again at once.
        var opening = gift.CreatedAt > clock.GetUtcNow() - FirstSendingPatience;
        for (var waited = TimeSpan.Zero; opening && gift.StripeCheckoutSessionId is null && waited < FirstSendingPatience; waited += TimeSpan.FromMilliseconds(100))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            await db.Entry(gift).ReloadAsync(cancellationToken);
        }

        return await CheckoutAsync(
            gift, gift is Donation donation ? OneOffStart(donation, dispute) : MonthlyStart((MonthlyGift)gift, dispute), cancellationToken);
    }

    /// <summary>Whether a gift made from a form says all that <paramref name="described"/>, made from this sending, says.</summary>
    private static bool SaysTheSame(Gift gift, Gift described) =>
        (gift.ChosenBranchId, gift.AmountPence, gift.FeeCoverPence, gift.PublicName, gift.OrganisationName, gift.ShowAmountPublicly, gift.DonorName, gift.Email)
        == (described.ChosenBranchId, described.AmountPence, described.FeeCoverPence, described.PublicName, described.OrganisationName,
            described.ShowAmountPublicly, described.DonorName, described.Email);

    /// <summary>A one-off or monthly gift as the form describes it, by the giver who accepted the privacy notice <paramref name="now"/>.</summary>
    private TGift FromForm<TGift>(TGift gift, DisputeForDonation dispute, Guid? chosenBranch, long amountPence, DateTimeOffset now)
        where TGift : Gift
    {
        gift.DisputeId = dispute.Id;
        gift.ChosenBranchId = chosenBranch;
        gift.AmountPence = amountPence;
        gift.FeeCoverPence = Input.CoverFee ? fees.CoverFor(amountPence) : 0;
        gift.PublicName = Input.ShowPublicName ? Input.PublicName!.Trim() : null;
        gift.OrganisationName = TypedText.TrimToNull(Input.OrganisationName);
        gift.ShowAmountPublicly = Input.ShowAmount;
        gift.DonorName = Input.DonorName!.Trim();
        gift.Email = Input.Email!.Trim();
        gift.DonorKey = supporters.For(Input.Email, Input.OrganisationName);
        gift.PrivacyConsentAt = now;
        gift.CreatedAt = now;
        return gift;
    }

    /// <summary>
    /// Saves the gift (already added) with its message, before Stripe hears of it, so that a webhook can never arrive for
    /// a gift the site does not have.
    /// </summary>
    /// <returns>False when the same form, sent twice at once, made the gift first: nothing of this sending is kept.</returns>
    private async Task<bool> SaveAsync(Gift gift, string? message, CancellationToken cancellationToken)
    {
        if (message is not null)
        {
            db.SupportMessages.Add(new SupportMessage
            {
                DisputeId = gift.DisputeId,
                DonationId = (gift as Donation)?.Id,
                MonthlyGiftId = (gift as MonthlyGift)?.Id,
                AuthorName = gift.PublicName,
                OrganisationName = gift.OrganisationName,
                Body = message,
                Status = ModerationStatus.Pending,
                CreatedAt = gift.CreatedAt,
            });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>
    /// Sends the giver to the Checkout session <paramref name="start"/> opens for the saved gift. If Checkout cannot
    /// start, the gift stays pending (reconciliation shows it as stale, and no money can arrive for it) and the page says
    /// card payments are unavailable; the form, sent again, picks the same gift up.
    /// </summary>
    private async Task<IActionResult> CheckoutAsync(Gift gift, Func<Uri, Task<StartedCheckout>> start, CancellationToken cancellationToken)
    {
        // Site:BaseUrl where set (always in Production), so a forged Host header cannot choose where Stripe sends the giver back.
        var siteBase = new Uri(siteAddress.BaseUrl(Request) + "/");
        StartedCheckout session;
        try
        {
            session = await start(siteBase);
        }
        catch (CheckoutUnavailableException e)
        {
            logger.LogWarning(e, "Card payments unavailable; {Gift} {GiftId} left pending", gift.GetType().Name, gift.Id);
            PaymentsUnavailable = true;
            return Page();
        }

        if (gift.StripeCheckoutSessionId != session.SessionId)
        {
            gift.StripeCheckoutSessionId = session.SessionId;
            await db.SaveChangesAsync(cancellationToken);
        }

        // Sent to pay: this browser, and only this one, may see the gift's amount on its thank-you page, and a donation's
        // details again from the cancel link.
        donorBrowser.Remember(HttpContext, gift.Id);

        Response.Headers.Location = session.Url;
        return StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>Fixed when the donation is made: the whole to the chosen branch, or split by the dispute's shares.</summary>
    private static List<DonationAllocation> Allocate(Donation donation, DisputeForDonation dispute) =>
        DonationSplit.Allocate(
            donation.Id, donation.ChargedPence, donation.ChosenBranchId, dispute.Branches.Select(b => (b.BranchId, b.ShareBasisPoints)).ToList());

    /// <summary>The amount in pence, or why it cannot be taken. A typed amount wins over a preset.</summary>
    private static string? ParseAmount(DonationInput input, out long pence)
    {
        pence = 0;
        if (!string.IsNullOrWhiteSpace(input.OtherAmount))
        {
            var typed = TypedPounds.Read(input.OtherAmount, minimumPence: MinimumPence, maximumPence: MaximumPence);
            pence = typed.Pence;
            return typed.Problem;
        }

        if (string.IsNullOrEmpty(input.Preset))
        {
            return "Choose an amount, or type another amount.";
        }

        if (!long.TryParse(input.Preset, NumberStyles.None, CultureInfo.InvariantCulture, out pence) || !PresetPence.Contains(pence))
        {
            pence = 0;
            return "Choose one of the amounts shown, or type another amount.";
        }

        return null;
    }

    private async Task<DisputeForDonation?> LoadDisputeAsync(string slug, CancellationToken cancellationToken)
    {
        var dispute = await PublishedDisputes.HeadingAsync(db, slug, cancellationToken);
        if (dispute is null)
        {
            return null;
        }

        var workplaces = await db.Workplaces.AsNoTracking()
            .Where(w => w.DisputeId == dispute.Id && w.BranchId != null)
            .OrderBy(w => w.Town)
            .Select(w => new { BranchId = w.BranchId!.Value, w.Town })
            .ToListAsync(cancellationToken);
        var branches = await db.BeneficiaryBranches.AsNoTracking()
            .Where(b => b.DisputeId == dispute.Id)
            .OrderBy(b => b.Branch.Name)
            .Select(b => new { b.BranchId, b.Branch.Name, b.Branch.Code, b.ShareBasisPoints })
            .ToListAsync(cancellationToken);

        return new DisputeForDonation(
            dispute.Id,
            dispute.Slug,
            dispute.Title,
            dispute.Status,
            branches.Select(b => new BeneficiaryOption(
                b.BranchId,
                b.Name,
                b.Code,
                string.Join(", ", workplaces.Where(w => w.BranchId == b.BranchId).Select(w => w.Town)),
                b.ShareBasisPoints)).ToList());
    }
}

internal sealed record DisputeForDonation(Guid Id, string Slug, string Title, DisputeStatus Status, IReadOnlyList<BeneficiaryOption> Branches)
{
    /// <summary>Only an active dispute with somewhere for the money to go takes donations.</summary>
    public bool AcceptsDonations => Status.IsActive() && Branches.Count > 0;
}

internal sealed record BeneficiaryOption(Guid BranchId, string Name, string Code, string Workplaces, int ShareBasisPoints);

internal sealed class DonationInput
{
    /// <summary>
    /// The id the gift this form makes will have, given when the page is shown: the same form sent twice (a double click
    /// with no script, a retry after "payments unavailable") goes to the one Checkout session, not a second gift.
    /// </summary>
    public Guid AttemptId { get; set; }

    /// <summary>The proof, given with the form, that <see cref="AttemptId"/> is one this site gave (<see cref="DonationAttempts"/>).</summary>
    public string? AttemptProof { get; set; }

    /// <summary><see cref="DonateModel.Once"/> or <see cref="DonateModel.Monthly"/>.</summary>
    public string? Frequency { get; set; } = DonateModel.Once;

    /// <summary>One of <see cref="DonateModel.PresetPence"/>, in pence.</summary>
    public string? Preset { get; set; }

    /// <summary>Pounds as typed: "15", "12.50", "£1,000".</summary>
    public string? OtherAmount { get; set; }

    /// <summary>A beneficiary branch id, or <see cref="DonateModel.ShareAcrossAll"/>.</summary>
    public string Beneficiary { get; set; } = DonateModel.ShareAcrossAll;

    public bool ShowPublicName { get; set; }

    [StringLength(100, ErrorMessage = "Keep the public name to 100 characters or fewer.")]
    public string? PublicName { get; set; }

    [StringLength(200, ErrorMessage = "Keep the organisation's name to 200 characters or fewer.")]
    public string? OrganisationName { get; set; }

    /// <summary>The separate choice to show the amount beside the name on the supporters page; off unless ticked.</summary>
    public bool ShowAmount { get; set; }

    [Required(ErrorMessage = "Enter your name for the receipt.")]
    [StringLength(200, ErrorMessage = "Keep your name to 200 characters or fewer.")]
    public string? DonorName { get; set; }

    [Required(ErrorMessage = "Enter your email address for the receipt.")]
    [DeliverableEmail(ErrorMessage = "Enter an email address like name@example.org.")]
    [StringLength(320, ErrorMessage = "Enter an email address like name@example.org.")]
    public string? Email { get; set; }

    /// <summary>
    /// Checked in code (<see cref="MessageRules.CheckBody"/>), as on the message form, rather than by an annotation: the
    /// textarea counts a line break once and the browser sends it as two characters.
    /// </summary>
    public string? Message { get; set; }

    public bool CoverFee { get; set; }

    [Range(typeof(bool), "true", "true", ErrorMessage = "Tick the box to confirm you have read the privacy notice: we cannot take your donation without it.")]
    public bool Consent { get; set; }
}

/// <summary>What a gift whose payment the giver cancelled at Stripe said, to fill the form in again with.</summary>
internal sealed record CancelledGift(
    string Frequency, long AmountPence, long FeeCoverPence, Guid? ChosenBranchId, string? PublicName, bool ShowAmountPublicly,
    string? OrganisationName, string? DonorName, string? Email, string? Message);
