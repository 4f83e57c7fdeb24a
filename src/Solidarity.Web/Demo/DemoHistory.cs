using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Solidarity.Core.Disputes;

namespace Solidarity.Web.Demo;

/// <summary>How much history the demo gives the Argos dispute (<c>Demo:Donations</c>).</summary>
internal sealed class DemoSettings
{
    public const string Section = "Demo";

    /// <summary>
    /// Card donations over the strike's fortnight; tests that seed the demo ask for a handful. 0 adds no history at all
    /// (no money, statements or messages), for a demo to fill otherwise, as the volume seed's tests do.
    /// </summary>
    public int Donations { get; set; } = 1_500;
}

internal static class DemoHosting
{
    public static void AddDemoData(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<DemoSettings>(builder.Configuration.GetSection(DemoSettings.Section));
        builder.Services.AddScoped<DemoHistory>();
    }
}

/// <summary>
/// Gives the Argos demo dispute a believable fortnight: card donations building up from just before the strike, with a
/// spike on the day the High Court threw out Argos's injunction; some from organisations and some under public names;
/// Stripe's fees; a partial refund and a chargeback lost; a statement for each branch, approved, paid and confirmed by
/// the branch officer; approved messages of support and one waiting for a moderator.
/// </summary>
/// <remarks>
/// <para>
/// Every penny goes through the code real money takes: each gift is locked with <see cref="LedgerLocks"/> and posted by
/// <see cref="LedgerPostings"/> as the webhook processor posts a confirmed payment and its fee; the refund and the
/// chargeback as the webhook posts them; the statements by <see cref="StatementBuilder"/> and the payment and its
/// confirmation by <see cref="RemittancePayments"/>. So the dispute's page, its chart, the branch's statements and the
/// books agree, as they must on a real site.
/// </para>
/// <para>
/// It adds only what is missing: each gift has a fixed Checkout Session id (<c>cs_demo_00001</c>…) and is skipped when
/// it is there, the refund and chargeback post under their own ledger keys, a branch with a statement gets no other,
/// and the messages have fixed ids. The gifts owe no receipt (<see cref="Donation.ReceiptNotOwed"/>), as the volume
/// seed's do, so the safety net does not render and mail a PDF for each, except the two that are refunded or charged
/// back: a refund owes a credit note, which refers to a receipt, so those two get theirs and show both documents.
/// </para>
/// </remarks>
internal sealed class DemoHistory(
    SolidarityDbContext db,
    LedgerPostings ledger,
    StatementBuilder statements,
    RemittancePayments remittances,
    SupporterKeys keys,
    Pages.Donations.FeeEstimator fees,
    Pages.Receipts.ReceiptScheduler receipts,
    Microsoft.Extensions.Options.IOptions<DemoSettings> settings,
    TimeProvider time,
    ILogger<DemoHistory> logger)
{
    public const string SessionPrefix = "cs_demo_";
    public const string RefundId = "re_demo_partial";
    public const string ChargebackId = "dp_demo_lost";
    public const int ApprovedMessages = 40;

    /// <summary>Gifts per transaction: each holds the branches' locks, so keep them short for a site already serving.</summary>
    private const int BatchSize = 250;

    private const int Seed = 2017;

    private static readonly string[] First =
    [
        "Jo", "Sam", "Alex", "Chris", "Pat", "Jamie", "Morgan", "Robin", "Priya", "Aisha", "Tomasz", "Niamh", "Kwame", "Mei",
        "Fatima", "Owen", "Rhiannon", "Hamza", "Grace", "Callum", "Ewa", "Dev", "Siobhan", "Marcus", "Leah", "Bilal", "Ruth",
    ];

    private static readonly string[] Last =
    [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Khan", "Patel", "Walker", "Wright", "Thompson",
        "Robinson", "Hughes", "Edwards", "Green", "Hall", "Wood", "Clarke", "Kowalski", "Okafor", "Murphy", "Begum", "Ahmed",
    ];

    private static readonly string[] Organisations =
    [
        "South Birmingham Momentum", "Burton Trades Union Council", "Derby UNISON Health Branch", "Leicester Unite Community",
        "Castleford Labour Party", "Heywood Strike Support Group", "Bristol PCS Branch", "Sheffield NEU District",
    ];

    public async Task<IReadOnlyList<string>> SeedAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var report = new List<string>();
        var story = settings.Value.Donations > 0 ? await StoryAsync(cancellationToken) : null;
        if (story is null)
        {
            return report;
        }

        var gifts = Gifts(story, settings.Value.Donations);
        var added = await PostGiftsAsync(story, gifts.Where(g => g.PaidAt <= story.StatementBefore), cancellationToken);
        var paid = await PayBranchesAsync(story, cancellationToken);
        added += await PostGiftsAsync(story, gifts.Where(g => g.PaidAt > story.StatementBefore), cancellationToken);
        var takenBack = await TakeBackAsync(story, gifts, cancellationToken);
        var messages = await MessagesAsync(story, cancellationToken);

        if (added + paid + takenBack + messages > 0)
        {
            report.Add($"Demo history for the Argos strike: {added:N0} card donations, {takenBack} refunds or chargebacks, " +
                $"{paid} remittances paid and {messages} messages added in {clock.Elapsed.TotalSeconds:N1} s.");
            logger.LogInformation("Demo history seeded in {Elapsed}", clock.Elapsed);
        }

        return report;
    }

    private sealed record Story(
        Guid DisputeId, IReadOnlyList<(Guid BranchId, int Share)> Branches, DateOnly FirstDay, DateOnly LastDay, DateOnly CourtDay,
        DateTimeOffset Now, DateTimeOffset StatementBefore);

    private sealed record Gift(
        int Number, DateTimeOffset PaidAt, long AmountPence, long FeeCoverPence, Guid? ChosenBranchId,
        string DonorName, string Email, string? PublicName, string? Organisation)
    {
        public string Session => $"{SessionPrefix}{Number:D5}";

        public long ChargedPence => AmountPence + FeeCoverPence;
    }

    /// <summary>The dispute's strike and its High Court news, wherever the demo's calendar put them.</summary>
    private async Task<Story?> StoryAsync(CancellationToken cancellationToken)
    {
        var dispute = await db.Disputes.AsNoTracking()
            .Where(d => d.Slug == DemoData.ArgosSlug)
            .Select(d => new
            {
                d.Id,
                Branches = d.Beneficiaries.OrderBy(b => b.BranchId).Select(b => new { b.BranchId, b.ShareBasisPoints }).ToList(),
                Strike = d.Actions.OrderBy(a => a.StartsAt).Select(a => new { a.StartsAt, a.EndsAt }).FirstOrDefault(),
                Court = d.Updates.Where(u => u.Title.Contains("High Court")).Select(u => u.PublishedAt).FirstOrDefault(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (dispute?.Strike is null || dispute.Court is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var start = LondonDay(dispute.Strike.StartsAt).AddDays(-3);
        var end = Min(LondonDay(dispute.Strike.EndsAt), LondonDay(now));
        if (end < start)
        {
            return null;
        }

        // The first week's gifts go on the statements the branches are paid from; the rest arrive after it, as a
        // treasurer would find them.
        return new Story(
            dispute.Id, dispute.Branches.Select(b => (b.BranchId, b.ShareBasisPoints)).ToList(), start, end, LondonDay(dispute.Court.Value),
            now, At(start.AddDays(Math.Max((end.DayNumber - start.DayNumber) / 2, 1)), 0));
    }

    /// <summary>
    /// The same gifts every time (a fixed seed), spread over the days by weight: a slow start, a rise once the strike
    /// is news, five times a usual day when the High Court rules and twice the day after; none in the future.
    /// </summary>
    private List<Gift> Gifts(Story story, int count)
    {
        var random = new Random(Seed);
        var days = Enumerable.Range(0, story.LastDay.DayNumber - story.FirstDay.DayNumber + 1).Select(story.FirstDay.AddDays).ToList();

        // People give between 07:00 and 23:00; today only until now, so today weighs what is left of it.
        var windows = days.Select(day => (From: At(day, 7), To: At(day, 23) < story.Now ? At(day, 23) : story.Now)).ToList();
        var weights = days.Select((day, i) =>
            (day == story.CourtDay ? 5.0 : day == story.CourtDay.AddDays(1) ? 2.0 : 1.0)
            * Math.Min(1.0, 0.3 + (0.15 * i))
            * Math.Max(0, (windows[i].To - windows[i].From) / TimeSpan.FromHours(16))).ToArray();
        var total = weights.Sum();
        var gifts = new List<Gift>(count);
        for (var n = 1; n <= count && total > 0; n++)
        {
            var roll = random.NextDouble() * total;
            var index = 0;
            while (index < days.Count - 1 && (roll >= weights[index] || weights[index] == 0))
            {
                roll -= weights[index++];
            }

            var (from, to) = windows[index];
            var paidAt = from + ((to - from) * random.NextDouble());

            // Mostly £5 and £10, as strike funds are filled, and an organisation's £20 to £100 now and then: about £12 a
            // gift, so the default 1,500 come near the £20,000 target without passing it.
            var organisation = random.NextDouble() < 0.02 ? Organisations[random.Next(Organisations.Length)] : null;
            long amount = organisation is not null
                ? random.Next(2, 11) * 10_00
                : random.NextDouble() switch { < 0.45 => 5_00, < 0.77 => 10_00, < 0.92 => 20_00, < 0.97 => 25_00, < 0.995 => 50_00, _ => 100_00 };
            var feeCover = random.NextDouble() < 0.35 ? fees.CoverFor(amount) : 0;
            var chosen = random.NextDouble() < 0.12 ? story.Branches[random.Next(story.Branches.Count)].BranchId : (Guid?)null;

            // About one donor in eight gives again, under the same address, and counts once as a supporter.
            var person = random.NextDouble() < 0.12 && n > 10 ? random.Next(1, n) : n;
            var first = First[person % First.Length];
            var last = Last[(person / First.Length) % Last.Length];
            var publicName = organisation ?? (random.NextDouble() < 0.3 ? $"{first} {last[0]}." : null);
            gifts.Add(new Gift(
                n, paidAt, amount, feeCover, chosen, organisation ?? $"{first} {last}", $"supporter{person:D5}@example.org", publicName, organisation));
        }

        return gifts.OrderBy(g => g.PaidAt).ThenBy(g => g.Number).ToList();
    }

    /// <summary>Inserts the gifts not there yet and posts each, as the webhook does for a payment Stripe confirms.</summary>
    private async Task<int> PostGiftsAsync(Story story, IEnumerable<Gift> wanted, CancellationToken cancellationToken)
    {
        var all = wanted.ToList();
        if (all.Count == 0)
        {
            return 0;
        }

        var sessions = all.Select(g => g.Session).ToList();
        var present = (await db.Donations.AsNoTracking()
            .Where(d => d.StripeCheckoutSessionId != null && sessions.Contains(d.StripeCheckoutSessionId))
            .Select(d => d.StripeCheckoutSessionId!)
            .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var missing = all.Where(g => !present.Contains(g.Session)).ToList();
        var shares = story.Branches.Select(b => (long)b.Share).ToArray();
        foreach (var batch in missing.Chunk(BatchSize))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

            // Branches first, as a bulk import locks them: the allocations' foreign keys would otherwise share-lock them
            // before the postings ask for the update lock.
            await LedgerLocks.BranchesAsync(db, story.Branches.Select(b => b.BranchId), cancellationToken);
            var donations = batch.Select(gift => Donation(story, gift, shares)).ToList();
            db.Donations.AddRange(donations);
            await db.SaveChangesAsync(cancellationToken);
            foreach (var (donation, gift) in donations.Zip(batch))
            {
                // The donation is this transaction's own row; its branches are locked as a confirmed payment locks them.
                var locked = await LedgerLocks.InsertedDonationAsync(db, donation, cancellationToken);
                await ledger.PaymentConfirmedAsync(locked, donation.StripePaymentIntentId, gift.PaidAt, cancellationToken);
                var fee = fees.EstimateOn(donation.ChargedPence);
                await ledger.FeeAsync(
                    locked, new StripeFee($"txn_demo_{gift.Number:D5}", fee, donation.ChargedPence - fee), gift.PaidAt, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        return missing.Count;
    }

    private Donation Donation(Story story, Gift gift, long[] shares)
    {
        var donation = new Donation
        {
            Id = Guid.CreateVersion7(gift.PaidAt),
            DisputeId = story.DisputeId,
            ChosenBranchId = gift.ChosenBranchId,
            Method = DonationMethod.Card,
            Status = DonationStatus.Paid,
            AmountPence = gift.AmountPence,
            FeeCoverPence = gift.FeeCoverPence,
            PublicName = gift.PublicName,
            OrganisationName = gift.Organisation,
            DonorName = gift.DonorName,
            Email = gift.Email,
            PrivacyConsentAt = gift.PaidAt.AddMinutes(-2),
            CreatedAt = gift.PaidAt.AddMinutes(-2),
            PaidAt = gift.PaidAt,
            StripeCheckoutSessionId = gift.Session,
            StripePaymentIntentId = $"pi_demo_{gift.Number:D5}",
            StripeChargeId = $"ch_demo_{gift.Number:D5}",
            DonorKey = keys.For(gift.Email, gift.Organisation),
            ReceiptNotOwed = true,
        };
        donation.Allocations = gift.ChosenBranchId is { } chosen
            ? [new DonationAllocation { DonationId = donation.Id, BranchId = chosen, AmountPence = donation.ChargedPence }]
            : Allocation.Split(donation.ChargedPence, shares)
                .Select((pence, i) => new DonationAllocation { DonationId = donation.Id, BranchId = story.Branches[i].BranchId, AmountPence = pence })
                .ToList();
        return donation;
    }

    /// <summary>
    /// Each branch's first statement, approved by the demo treasurer, paid in full by the demo admin (two people, as the
    /// two-person rule wants) and confirmed by the WM7680 officer; the EM0001 branch has no officer, so its transfer
    /// waits for confirmation. Statements cover what the site learnt of before they are made, so this runs between
    /// the first week's gifts and the rest.
    /// </summary>
    private async Task<int> PayBranchesAsync(Story story, CancellationToken cancellationToken)
    {
        var paid = 0;
        var periodEnd = await db.Database.SqlQuery<DateTimeOffset>($"""SELECT statement_timestamp() AS "Value" """).SingleAsync(cancellationToken);
        foreach (var (branchId, _) in story.Branches)
        {
            if (await db.RemittanceStatements.AnyAsync(s => s.BranchId == branchId, cancellationToken))
            {
                continue;
            }

            var (outcome, statementId) = await statements.BuildAsync(branchId, periodEnd, cancellationToken);
            if (outcome != StatementOutcome.Created || statementId is not { } id)
            {
                continue;
            }

            await remittances.ApproveAsync(id, Treasurer, cancellationToken);
            var (approved, _) = await remittances.StatementPaymentsAsync(id, cancellationToken);
            if (approved <= 0)
            {
                continue;
            }

            var code = await db.Branches.Where(b => b.Id == branchId).Select(b => b.Code).SingleAsync(cancellationToken);
            var today = DateOnly.FromDateTime(LondonClock.ToLondon(story.Now).DateTime);
            var result = await remittances.RecordAsync(
                id, new PaymentRequest(today, (approved / 100m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), $"DEMO-{code}-1"), Admin, cancellationToken);
            if (!result.Done)
            {
                throw new InvalidOperationException($"The demo remittance to {code} was refused: {string.Join("; ", result.Errors.Select(e => e.Value))}");
            }

            paid++;
            var officer = await db.Users.AsNoTracking()
                .Where(u => u.BranchId == branchId)
                .Select(u => new { u.Id, u.Email })
                .FirstOrDefaultAsync(cancellationToken);
            var payment = await db.RemittancePayments.AsNoTracking()
                .Where(p => p.StatementId == id)
                .Select(p => p.Id)
                .SingleAsync(cancellationToken);
            if (officer is not null)
            {
                await remittances.ConfirmAsync(payment, branchId, Person(officer.Id, officer.Email!), cancellationToken);
            }
        }

        return paid;
    }

    /// <summary>
    /// A partial refund of one £50 gift and a chargeback lost on another, locked and posted as the webhook posts
    /// <c>charge.refunded</c> and <c>charge.dispute.closed</c> (lost), with Stripe's chargeback fee.
    /// </summary>
    private async Task<int> TakeBackAsync(Story story, IReadOnlyList<Gift> gifts, CancellationToken cancellationToken)
    {
        var fifties = gifts.Where(g => g.AmountPence == 50_00 && g.FeeCoverPence == 0).ToList();
        if (fifties.Count < 2)
        {
            return 0;
        }

        var refunded = fifties[fifties.Count / 3];
        var chargedBack = fifties[(2 * fifties.Count) / 3];
        var done = 0;

        // One transaction each, as two webhooks would be: a transaction locks one donation, then its branches.
        if (!await db.LedgerEntries.AnyAsync(e => e.StripeObjectId == RefundId, cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var locked = await LockAsync(refunded);
            if (locked is not null)
            {
                done += await ledger.RefundAsync(locked, RefundId, 20_00, Later(refunded.PaidAt, 1), cancellationToken) ? 1 : 0;
            }

            await CommitAsync(transaction);
            if (locked is not null)
            {
                // As the webhook does after its commit: the receipt, then the credit note that refers to it, once the receipt
                // is issued (a credit note run first would wait for it, and log its retry).
                var receipt = receipts.DonationConfirmed(locked.Donation.Id);
                receipts.RefundRecorded(locked.Donation.Id, RefundId, afterJobId: receipt);
            }
        }

        if (!await db.LedgerEntries.AnyAsync(e => e.StripeObjectId == ChargebackId, cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var locked = await LockAsync(chargedBack);
            if (locked is not null)
            {
                var at = Later(chargedBack.PaidAt, 2);
                done += await ledger.ChargebackAsync(locked, ChargebackId, chargedBack.ChargedPence, at, cancellationToken) ? 1 : 0;
                await ledger.FeeAsync(locked, new StripeFee("txn_demo_dispute_fee", 15_00, -15_00), at, cancellationToken, LedgerEntryKind.ChargebackFee);
            }

            await CommitAsync(transaction);
            if (locked is not null)
            {
                receipts.DonationConfirmed(locked.Donation.Id);
            }
        }

        return done;

        // Locks as the webhook does, donation then branches; these two owe their receipt (see the remarks).
        async Task<LockedDonation?> LockAsync(Gift gift)
        {
            var id = await db.Donations.Where(d => d.StripeCheckoutSessionId == gift.Session).Select(d => (Guid?)d.Id).SingleOrDefaultAsync(cancellationToken);
            var locked = id is null ? null : await LedgerLocks.DonationAsync(db, id.Value, cancellationToken);
            if (locked is not null)
            {
                locked.Donation.ReceiptNotOwed = false;
            }

            return locked;
        }

        async Task CommitAsync(IDbContextTransaction transaction)
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        DateTimeOffset Later(DateTimeOffset paidAt, int days) => paidAt.AddDays(days) < story.Now ? paidAt.AddDays(days) : story.Now;
    }

    /// <summary>Messages with fixed ids, so a second run finds them: most approved within hours, the last one waiting.</summary>
    private async Task<int> MessagesAsync(Story story, CancellationToken cancellationToken)
    {
        var random = new Random(Seed + 1);
        var span = story.Now - At(story.FirstDay, 0);
        var wanted = Enumerable.Range(1, ApprovedMessages + 1).Select(n =>
        {
            var createdAt = At(story.FirstDay, 0) + (span * (n - random.NextDouble()) / (ApprovedMessages + 1));
            var pending = n == ApprovedMessages + 1;
            var moderatedAt = createdAt + TimeSpan.FromMinutes(random.Next(10, 240));
            var withOrganisation = random.NextDouble() < 0.15;
            return new SupportMessage
            {
                Id = new Guid($"00000000-0000-7000-8000-{n:D12}"),
                DisputeId = story.DisputeId,
                AuthorName = random.NextDouble() < 0.8 ? $"{First[random.Next(First.Length)]} {Last[random.Next(Last.Length)]}" : null,
                OrganisationName = withOrganisation ? Organisations[random.Next(Organisations.Length)] : null,
                Town = random.NextDouble() < 0.6 ? DemoWords.Towns[random.Next(DemoWords.Towns.Length)] : null,
                Body = pending
                    ? "Is there a collection point in Burton for food parcels? Our group would like to bring some down this weekend."
                    : DemoWords.Messages[random.Next(DemoWords.Messages.Length)],
                Status = pending ? ModerationStatus.Pending : ModerationStatus.Approved,
                CreatedAt = pending ? story.Now.AddMinutes(-20) : createdAt,
                ModeratedByName = pending ? null : "Demo moderator",
                ModeratedAt = pending ? null : (moderatedAt < story.Now ? moderatedAt : story.Now),
            };
        }).ToList();
        var ids = wanted.Select(m => m.Id).ToList();
        var present = (await db.SupportMessages.AsNoTracking().Where(m => ids.Contains(m.Id)).Select(m => m.Id).ToListAsync(cancellationToken)).ToHashSet();
        var missing = wanted.Where(m => !present.Contains(m.Id)).ToList();
        db.SupportMessages.AddRange(missing);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return missing.Count;
    }

    /// <summary>
    /// The demo's treasurer and admin are people in the story, not accounts: they sign the approval and the payment in
    /// the audit log and on the statement, as two different admins must.
    /// </summary>
    private static readonly ClaimsPrincipal Treasurer = Person(new Guid("00000000-0000-7000-8000-00000000d001"), "treasurer@solidarity.test");

    private static readonly ClaimsPrincipal Admin = Person(new Guid("00000000-0000-7000-8000-00000000d002"), DemoData.AdminEmail);

    private static ClaimsPrincipal Person(Guid id, string email) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, id.ToString()), new Claim(ClaimTypes.Email, email)], "demo"));

    private static DateOnly LondonDay(DateTimeOffset at) => DateOnly.FromDateTime(LondonClock.ToLondon(at).DateTime);

    private static DateTimeOffset At(DateOnly day, int hour) => LondonClock.FromLondon(day.ToDateTime(new TimeOnly(hour, 0)));

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}
