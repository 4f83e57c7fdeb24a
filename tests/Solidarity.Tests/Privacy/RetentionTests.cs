using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Donations;
using Solidarity.Core.Messages;
using Solidarity.Tests.Donations.Checkout;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin;
using Solidarity.Web.Pages.Admin.Donors;

namespace Solidarity.Tests.Privacy;

public sealed class RetentionTests(SiteFixture fixture) : SiteTest(fixture)
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task Gifts_never_paid_lose_their_donors_details_and_message_after_30_days_and_paid_ones_keep_them()
    {
        var dispute = await CheckoutTestData.SeedDisputeAsync(App);
        var oldPending = await DonationAsync(dispute.Id, DonationStatus.Pending, Now.AddDays(-31), "Old pending message");
        var oldExpired = await DonationAsync(dispute.Id, DonationStatus.Expired, Now.AddDays(-40));
        var oldFailed = await DonationAsync(dispute.Id, DonationStatus.Failed, Now.AddDays(-35));
        var recentExpired = await DonationAsync(dispute.Id, DonationStatus.Expired, Now.AddDays(-29), "Recent message");
        var oldPaid = await DonationAsync(dispute.Id, DonationStatus.Paid, Now.AddDays(-90), "Paid message");
        var oldAwaiting = await DonationAsync(dispute.Id, DonationStatus.AwaitingPayment, Now.AddDays(-31));

        var (donations, messages) = await RunAsync();

        Assert.Equal(3, donations);
        Assert.Equal(1, messages);
        foreach (var id in new[] { oldPending, oldExpired, oldFailed })
        {
            var donation = await App.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync(d => d.Id == id));
            Assert.Null(donation.Email);
            Assert.Null(donation.DonorName);
            Assert.Null(donation.PublicName);
            Assert.Null(donation.OrganisationName);
            Assert.Null(donation.DonorKey);
            Assert.Equal(2_500, donation.AmountPence);
        }

        var cleared = await App.WithDbAsync(db => db.SupportMessages.AsNoTracking().SingleAsync(m => m.DonationId == oldPending));
        Assert.Equal(ClearExpiredPersonalDataJob.UnpaidMessageCleared, cleared.Body);
        Assert.Null(cleared.AuthorName);
        Assert.Null(cleared.Town);
        foreach (var id in new[] { recentExpired, oldPaid, oldAwaiting })
        {
            var kept = await App.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync(d => d.Id == id));
            Assert.Equal("someone@example.org", kept.Email);
            Assert.Equal("Sam Someone", kept.DonorName);
        }

        Assert.Equal(2, await App.WithDbAsync(db => db.SupportMessages.CountAsync(m => m.Body == "Recent message" || m.Body == "Paid message")));
    }

    [Fact]
    public async Task A_rejected_message_loses_its_text_and_the_reason_for_rejecting_it_30_days_after_it_was_rejected()
    {
        var dispute = await CheckoutTestData.SeedDisputeAsync(App);
        var oldRejected = await MessageAsync(dispute.Id, ModerationStatus.Rejected, Now.AddDays(-31), "Rejected long ago");
        var recentRejected = await MessageAsync(dispute.Id, ModerationStatus.Rejected, Now.AddDays(-29), "Rejected lately");
        var oldApproved = await MessageAsync(dispute.Id, ModerationStatus.Approved, Now.AddDays(-300), "Approved long ago");

        var (_, messages) = await RunAsync();

        Assert.Equal(1, messages);
        var cleared = await App.WithDbAsync(db => db.SupportMessages.AsNoTracking().SingleAsync(m => m.Id == oldRejected));
        Assert.Equal(ClearExpiredPersonalDataJob.RejectedMessageCleared, cleared.Body);
        Assert.Null(cleared.AuthorName);
        Assert.Equal(SupportMessage.ReasonRemoved, cleared.RejectionReason);
        Assert.Equal(ModerationStatus.Rejected, cleared.Status);
        Assert.NotNull(cleared.ModeratedAt);
        var recent = await App.WithDbAsync(db => db.SupportMessages.AsNoTracking().SingleAsync(m => m.Id == recentRejected));
        Assert.Equal(("Rejected lately", "Off topic"), (recent.Body, recent.RejectionReason));
        Assert.Equal("Approved long ago", await App.WithDbAsync(db => db.SupportMessages.Where(m => m.Id == oldApproved).Select(m => m.Body).SingleAsync()));
    }

    [Fact]
    public async Task The_audit_log_records_only_counts_and_a_second_run_clears_nothing()
    {
        var dispute = await CheckoutTestData.SeedDisputeAsync(App);
        await DonationAsync(dispute.Id, DonationStatus.Expired, Now.AddDays(-31), "Gone message");
        await MessageAsync(dispute.Id, ModerationStatus.Rejected, Now.AddDays(-31), "Rejected text");

        await RunAsync();
        var again = await RunAsync();

        Assert.Equal((0, 0), again);
        var audit = Assert.Single(await App.WithDbAsync(db => db.AuditEntries.AsNoTracking()
            .Where(a => a.Action == AuditActions.PersonalDataCleared).ToListAsync()));
        using var details = System.Text.Json.JsonDocument.Parse(audit.Details!);
        Assert.Equal(1, details.RootElement.GetProperty("unpaidDonations").GetInt32());
        Assert.Equal(1, details.RootElement.GetProperty("unpaidDonationMessages").GetInt32());
        Assert.Equal(1, details.RootElement.GetProperty("rejectedMessages").GetInt32());
        foreach (var personal in new[] { "someone@example.org", "Sam Someone", "Gone message", "Rejected text" })
        {
            Assert.DoesNotContain(personal, audit.Details, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_periods_can_be_configured()
    {
        var dispute = await CheckoutTestData.SeedDisputeAsync(App);
        var id = await DonationAsync(dispute.Id, DonationStatus.Expired, Now.AddDays(-8));
        await using var site = App.WithWebHostBuilder(b => b.UseSetting("Privacy:UnpaidDonationsKeptFor", "7.00:00:00"));
        await using var scope = site.Services.CreateAsyncScope();

        var (donations, _) = await scope.ServiceProvider.GetRequiredService<ClearExpiredPersonalDataJob>().RunAsync(CancellationToken.None);

        Assert.Equal(1, donations);
        Assert.Null(await App.WithDbAsync(db => db.Donations.Where(d => d.Id == id).Select(d => d.Email).SingleAsync()));
    }

    private async Task<(int Donations, int Messages)> RunAsync()
    {
        await using var scope = App.Scope();
        return await scope.ServiceProvider.GetRequiredService<ClearExpiredPersonalDataJob>().RunAsync(CancellationToken.None);
    }

    private Task<Guid> DonationAsync(Guid disputeId, DonationStatus status, DateTimeOffset createdAt, string? message = null) => App.WithDbAsync(async db =>
    {
        var donation = new Donation
        {
            DisputeId = disputeId, Method = DonationMethod.Card, Status = status, AmountPence = 2_500, CreatedAt = createdAt,
            DonorName = "Sam Someone", Email = "someone@example.org", PublicName = "Sam", DonorKey = "email:abc",
            PaidAt = status == DonationStatus.Paid ? createdAt : null,
        };
        db.Donations.Add(donation);
        if (message is not null)
        {
            db.SupportMessages.Add(new SupportMessage
            {
                DisputeId = disputeId, DonationId = donation.Id, Body = message, AuthorName = "Sam", Town = "Leeds",
                Status = ModerationStatus.Pending, CreatedAt = createdAt,
            });
        }

        await db.SaveChangesAsync();
        return donation.Id;
    });

    private Task<Guid> MessageAsync(Guid disputeId, ModerationStatus status, DateTimeOffset moderatedAt, string body) => App.WithDbAsync(async db =>
    {
        var message = new SupportMessage
        {
            DisputeId = disputeId, Body = body, AuthorName = "Alex", Town = "York", Status = status,
            CreatedAt = moderatedAt.AddHours(-1), ModeratedAt = moderatedAt, ModeratedByName = "Moderator",
            RejectionReason = status == ModerationStatus.Rejected ? "Off topic" : null,
        };
        db.SupportMessages.Add(message);
        await db.SaveChangesAsync();
        return message.Id;
    });
}
