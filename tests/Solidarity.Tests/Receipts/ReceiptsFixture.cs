using System.Security.Claims;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Disputes;
using Solidarity.Core.Donations;
using Solidarity.Core.Receipts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Admin.Donors;

namespace Solidarity.Tests.Receipts;

/// <summary>
/// A site of its own for the receipt tests: mail goes to a loopback SMTP server, and Hangfire polls and
/// retries in seconds. The host runs no job server; tests start real ones with <see cref="StartJobServer"/>.
/// </summary>
public sealed class ReceiptsFixture : OwnSiteWithJobs<ReceiptsApp>
{
    public LoopbackSmtp Smtp { get; private set; } = default!;

    protected override string DatabasePrefix => "receipts_test";

    protected override async Task<ReceiptsApp> CreateAsync()
    {
        Smtp = await LoopbackSmtp.StartAsync();
        return new ReceiptsApp(Smtp.Port);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();

        // Hangfire logs through a static provider bound to the last host configured; this host's loggers are gone.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        await Smtp.DisposeAsync();
    }

    /// <summary>Empties every table, Hangfire's too, and the mailbox.</summary>
    public override async Task ResetAsync()
    {
        await base.ResetAsync();
        Smtp.Clear();
    }
}

/// <summary>The system's clock until a test sets the time; the site, its jobs and its admin pages all read it.</summary>
public sealed class ReceiptsClock : TimeProvider
{
    public DateTimeOffset? Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now ?? TimeProvider.System.GetUtcNow();
}

public sealed class ReceiptsApp(int smtpPort) : SolidarityApp
{
    public const string BaseUrl = "http://localhost";
    public const string OrganisationName = "Burton Trades Union Council";

    public ReceiptsClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Smtp:Host", "127.0.0.1"),
        new("Smtp:Port", smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Smtp:Security", "None"),
        new("Smtp:TimeoutSeconds", "5"),
        new("Smtp:From", "Solidarity receipts <receipts@solidarity.test>"),
        new("Site:BaseUrl", BaseUrl),
        new("Organisation:Name", OrganisationName),
        new("Organisation:Address", "1 Example Street, Burton upon Trent DE14 0AA"),
        new("Jobs:QueuePollInterval", "00:00:00.200"),
        new("Jobs:SchedulePollingInterval", "00:00:00.500"),
        new("Jobs:InvisibilityTimeout", "00:00:03"),
        new("Jobs:ShutdownTimeout", "00:00:01"),
        new("Jobs:RetryDelaysSeconds:0", "1"),
        new("Jobs:RetryDelaysSeconds:1", "1"),
        new("Jobs:RetryDelaysSeconds:2", "1"),
    ];
}

[CollectionDefinition(Name)]
public sealed class ReceiptsCollection : ICollectionFixture<ReceiptsFixture>
{
    public const string Name = "receipts";
}

/// <summary>A receipt test: every table and the mailbox emptied first; a dispute with two branches to give to.</summary>
[Collection(ReceiptsCollection.Name)]
public abstract class ReceiptsTest(ReceiptsFixture fixture) : IAsyncLifetime
{
    /// <summary>26 May 2017, 14:30 in London: the day the High Court turned down Argos's injunction.</summary>
    protected static readonly DateTimeOffset PaidAt = new(2017, 5, 26, 13, 30, 0, TimeSpan.Zero);

    /// <summary>Five minutes after <see cref="PaidAt"/>: for tests that set the clock, as documents are numbered in the year they are issued.</summary>
    protected static readonly DateTimeOffset IssuedAt = PaidAt.AddMinutes(5);

    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    protected ReceiptsFixture Fixture { get; } = fixture;
    protected ReceiptsApp App => Fixture.App;
    protected LoopbackSmtp Smtp => Fixture.Smtp;
    protected Dispute Dispute { get; private set; } = default!;
    protected Branch Burton { get; private set; } = default!;
    protected Branch Castleford { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        // Hangfire logs through a static provider bound to the last host that configured it, perhaps an admin site
        // (AdminSite.For) of an earlier test, now disposed.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        App.Clock.Now = null;
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
