using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Disputes;
using Solidarity.Core.Donations;
using Solidarity.Core.Receipts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin.Donors;

namespace Solidarity.Tests.Receipts;

/// <summary>A receipt test: every table and the mailbox emptied first; a dispute with two branches to give to.</summary>
[Collection(JobsSiteCollection.Name)]
public abstract class ReceiptsTest(JobsSiteFixture fixture) : IAsyncLifetime
{
    /// <summary>26 May 2017, 14:30 in London: the day the High Court turned down Argos's injunction.</summary>
    protected static readonly DateTimeOffset PaidAt = new(2017, 5, 26, 13, 30, 0, TimeSpan.Zero);

    /// <summary>Five minutes after <see cref="PaidAt"/>: for tests that set the clock, as documents are numbered in the year they are issued.</summary>
    protected static readonly DateTimeOffset IssuedAt = PaidAt.AddMinutes(5);

    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    protected JobsSiteFixture Fixture { get; } = fixture;
    protected JobsSiteApp App => Fixture.App;
    protected LoopbackSmtp Smtp => Fixture.Smtp;
    protected Dispute Dispute { get; private set; } = default!;
    protected Branch Burton { get; private set; } = default!;
    protected Branch Castleford { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        await Fixture.ResetAsync();
        await App.WithDbAsync(async db =>
        {
            var union = new Union { Name = "Unite the Union" };
            Burton = new Branch { Code = "WM7680", Name = "Burton on Trent branch", Union = union, PostalAddress = "1 Test Street", ContactName = "A. Secretary" };
            Castleford = new Branch { Code = "YH0001", Name = "Castleford branch", Union = union, PostalAddress = "2 Test Street", ContactName = "B. Secretary" };
            Dispute = new Dispute
            {
                Slug = "argos-warehouse-strike", Title = "Argos warehouse strike", Employer = "Argos", Union = union,
                Summary = "s", Body = "b", IsPublished = true,
            };
            Dispute.Beneficiaries.Add(new BeneficiaryBranch { Branch = Burton, ShareBasisPoints = 6_000 });
            Dispute.Beneficiaries.Add(new BeneficiaryBranch { Branch = Castleford, ShareBasisPoints = 4_000 });
            db.AddRange(union, Burton, Castleford, Dispute);
            await db.SaveChangesAsync();
        });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A paid card donation of £25 to the Burton branch, with an email unless told otherwise.</summary>
    protected async Task<Donation> AddDonationAsync(
        string? email = "jo@example.org", long amountPence = 2_500, long feeCoverPence = 0, string? organisation = null,
        DonationStatus status = DonationStatus.Paid, bool split = false, DateTimeOffset? paidAt = null, bool receiptNotOwed = false)
    {
        var paid = paidAt ?? PaidAt;
        var donation = new Donation
        {
            DisputeId = Dispute.Id,
            ChosenBranchId = split ? null : Burton.Id,
            Method = DonationMethod.Card,
            Status = status,
            AmountPence = amountPence,
            FeeCoverPence = feeCoverPence,
            DonorName = "Jo Bloggs",
            OrganisationName = organisation,
            Email = email,
            CreatedAt = paid.AddMinutes(-2),
            PaidAt = status == DonationStatus.Paid ? paid : null,
            ReceiptNotOwed = receiptNotOwed,
        };
        var charged = amountPence + feeCoverPence;
        if (split)
        {
            donation.Allocations.Add(new DonationAllocation { BranchId = Burton.Id, AmountPence = charged * 6 / 10 });
            donation.Allocations.Add(new DonationAllocation { BranchId = Castleford.Id, AmountPence = charged - (charged * 6 / 10) });
        }
        else
        {
            donation.Allocations.Add(new DonationAllocation { BranchId = Burton.Id, AmountPence = charged });
        }

        await App.WithDbAsync(db =>
        {
            db.Donations.Add(donation);
            return db.SaveChangesAsync();
        });
        return donation;
    }

    /// <summary>Runs a job class directly, in a scope of its own, as a Hangfire worker would.</summary>
    protected async Task RunAsync<TJob>(Func<TJob, Task> run)
        where TJob : notnull
    {
        await using var scope = App.Scope();
        await run(scope.ServiceProvider.GetRequiredService<TJob>());
    }

    /// <summary>Erases the donor who gave from <paramref name="email"/>, as an admin does from /admin/donors.</summary>
    private protected async Task<ErasureOutcome> EraseAsync(string email, CancellationToken cancellationToken = default)
    {
        var admin = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, Guid.CreateVersion7().ToString()), new Claim(ClaimTypes.Name, "treasurer@example.org")], "Test"));
        await using var scope = App.Scope();
        return await scope.ServiceProvider.GetRequiredService<DonorErasure>().EraseAsync(admin, email, "Asked by email", keepOrganisationName: false, cancellationToken);
    }

    protected Task<List<Receipt>> ReceiptsAsync() =>
        App.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(db.Receipts.OrderBy(r => r.Number)));

    /// <summary>Polls until <paramref name="condition"/> holds; the timeout only stops a broken test from hanging.</summary>
    protected static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }
}
