using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Disputes;
using Solidarity.Core.Donations;
using Solidarity.Core.Ledger;
using Solidarity.Core.Messages;
using Solidarity.Core.Receipts;
using Solidarity.Testing;
using Solidarity.Web.Pages.Ledger;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Privacy;

/// <summary>
/// Jo gave twice with the same address in different case: by card (shown as "Jo B", with a message, partly
/// refunded) and by cheque (for a local group). Sam and Kim gave with addresses that look like Jo's but are not.
/// Every paid donation has its ledger entries and its receipt; the refund has its credit note.
/// </summary>
internal sealed record DonorData(Guid DisputeId, Guid Burton, Guid JoCard, Guid JoCheque, Guid Sam, Guid Kim, Guid JoMessage)
{
    public const string Slug = "argos-warehouse-strike";
    public const string JoEmail = "Jo@Example.org";
    public const string JoName = "Jo Bloggs";
    public const string JoPublicName = "Jo Bartholomew";
    public const string JoTown = "Bromsgrove";
    public const string JoMessageBody = "Solidarity from the Bromsgrove bus garage: stay strong!";
    public const string JoOrganisation = "Momentum South Birmingham";
    public const string JoChequeReference = "Cheque 100234 J BLOGGS";
    public const string SamEmail = "ajo@example.org";
    public const string SamName = "Sam Otherperson";
    public const string KimEmail = "jo@example.org.uk";
    public const string KimName = "Kim Elsewhere";
    public const string RefundId = "re_jo_partial";

    /// <summary>26 May 2017, 14:30 in London.</summary>
    public static readonly DateTimeOffset PaidAt = new(2017, 5, 26, 13, 30, 0, TimeSpan.Zero);

    public static async Task<DonorData> SeedAsync(SolidarityApp app)
    {
        var data = await app.WithDbAsync(async db =>
        {
            var union = new Union { Name = "Unite the Union" };
            var burton = new Branch { Code = "WM7680", Name = "Burton on Trent branch", Union = union, PostalAddress = "1 Test Street", ContactName = "A. Secretary" };
            var dispute = new Dispute
            {
                Slug = Slug, Title = "Argos warehouse strike", Employer = "Argos", Union = union, Summary = "Warehouse workers on strike.",
                Body = "Why they are out.", Status = DisputeStatus.TakingAction, IsPublished = true,
            };
            dispute.Beneficiaries.Add(new BeneficiaryBranch { Branch = burton, ShareBasisPoints = 10_000 });
            db.AddRange(union, burton, dispute);

            var joCard = Donation(dispute, burton, DonationMethod.Card, 2_500, JoName, JoEmail);
            joCard.PublicName = JoPublicName;
            joCard.ShowAmountPublicly = true;
            joCard.FeeCoverPence = 58;
            joCard.Allocations[0].AmountPence = 2_558;
            joCard.StripeCheckoutSessionId = "cs_test_jo";
            joCard.StripePaymentIntentId = "pi_test_jo";
            joCard.StripeChargeId = "ch_test_jo";
            var joCheque = Donation(dispute, burton, DonationMethod.Cheque, 1_000, JoName, "jo@example.org");
            joCheque.OrganisationName = JoOrganisation;
            joCheque.Reference = JoChequeReference;
            var sam = Donation(dispute, burton, DonationMethod.Card, 5_000, SamName, SamEmail);
            sam.PublicName = "Sam O";
            sam.ShowAmountPublicly = true;
            sam.StripeChargeId = "ch_test_sam";
            var kim = Donation(dispute, burton, DonationMethod.Cheque, 700, KimName, KimEmail);
            var keys = app.Services.GetRequiredService<SupporterKeys>();
            foreach (var donation in new[] { joCard, joCheque, sam, kim })
            {
                donation.DonorKey = keys.For(donation.Email, donation.OrganisationName);
            }

            db.Donations.AddRange(joCard, joCheque, sam, kim);

            var message = new SupportMessage
            {
                DisputeId = dispute.Id, DonationId = joCard.Id, AuthorName = JoPublicName, Town = JoTown, Body = JoMessageBody,
                Status = ModerationStatus.Approved, CreatedAt = PaidAt, ModeratedAt = PaidAt.AddHours(1), ModeratedByName = "moderator@example.org",
            };
            db.SupportMessages.Add(message);

            db.LedgerEntries.AddRange(
                Entry(dispute, burton, joCard, LedgerEntryKind.DonationReceived, 2_558, "received"),
                Entry(dispute, burton, joCard, LedgerEntryKind.ProcessingFee, -63, "fee"),
                Entry(dispute, burton, joCard, LedgerEntryKind.Refund, -1_000, "refund", RefundId),
                Entry(dispute, burton, joCheque, LedgerEntryKind.OfflineDonation, 1_000, "offline"),
                Entry(dispute, burton, sam, LedgerEntryKind.DonationReceived, 5_000, "received"),
                Entry(dispute, burton, kim, LedgerEntryKind.OfflineDonation, 700, "offline"));
            await db.SaveChangesAsync();
            return new DonorData(dispute.Id, burton.Id, joCard.Id, joCheque.Id, sam.Id, kim.Id, message.Id);
        });

        foreach (var donation in new[] { data.JoCard, data.JoCheque, data.Sam, data.Kim })
        {
            await RunAsync<IssueReceiptJob>(app, job => job.RunAsync(donation, CancellationToken.None));
        }

        await RunAsync<IssueCreditNoteJob>(app, job => job.RunAsync(data.JoCard, RefundId, CancellationToken.None));
        return data;
    }

    /// <summary>As if the receipt had been emailed: a live download link, and a bounce that quotes the address.</summary>
    public async Task<string> EmailedReceiptAsync(SolidarityApp app)
    {
        var (token, hash) = ReceiptTokens.Create();
        await app.WithDbAsync(async db =>
        {
            var receipt = await db.Receipts.SingleAsync(r => r.DonationId == JoCard && r.Kind == ReceiptKind.Receipt);
            receipt.DownloadTokenHash = hash;
            receipt.DownloadTokenExpiresAt = DateTimeOffset.UtcNow.AddDays(30);
            var delivery = await db.EmailDeliveries.SingleAsync(d => d.Key == SendReceiptEmailJob.DeliveryKey(receipt.Id));
            delivery.Attempts = 1;
            delivery.LastError = $"5.1.1 <{JoEmail}>: mailbox full";
            await db.SaveChangesAsync();
        });
        return token;
    }

    public IReadOnlyList<Guid> JosDonations => [JoCard, JoCheque];

    /// <summary>The numbers of Jo's two receipts and one credit note, in ordinal order; numbered in the year the seed ran.</summary>
    public async Task<List<string>> JosDocumentNumbersAsync(SolidarityApp app)
    {
        var numbers = await app.WithDbAsync(db => db.Receipts.Where(r => r.DonationId == JoCard || r.DonationId == JoCheque).Select(r => r.Number).ToListAsync());
        Assert.Equal(3, numbers.Count);
        return numbers.Order(StringComparer.Ordinal).ToList();
    }

    private static Donation Donation(Dispute dispute, Branch branch, DonationMethod method, long pence, string name, string email)
    {
        var donation = new Donation
        {
            DisputeId = dispute.Id, ChosenBranchId = branch.Id, Method = method, Status = DonationStatus.Paid, AmountPence = pence,
            DonorName = name, Email = email, PrivacyConsentAt = PaidAt.AddMinutes(-3), CreatedAt = PaidAt.AddMinutes(-2), PaidAt = PaidAt,
        };
        donation.Allocations.Add(new DonationAllocation { BranchId = branch.Id, AmountPence = pence });
        return donation;
    }

    private static LedgerEntry Entry(Dispute dispute, Branch branch, Donation donation, LedgerEntryKind kind, long pence, string cause, string? stripeObject = null) => new()
    {
        DisputeId = dispute.Id, BranchId = branch.Id, DonationId = donation.Id, Kind = kind, AmountPence = pence, StripeObjectId = stripeObject,
        Key = $"donation:{donation.Id}:{cause}:{branch.Id}", OccurredAt = PaidAt, RecordedAt = PaidAt,
    };

    private static async Task RunAsync<TJob>(SolidarityApp app, Func<TJob, Task> run)
        where TJob : notnull
    {
        await using var scope = app.Scope();
        await run(scope.ServiceProvider.GetRequiredService<TJob>());
    }
}
