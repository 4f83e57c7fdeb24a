using System.Security.Cryptography.X509Certificates;
using Hangfire;
using Hangfire.Storage.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Solidarity.Core.Donations;
using Solidarity.Core.Email;
using Solidarity.Core.Amounts;
using Solidarity.Core.Receipts;
using Solidarity.Testing;
using Solidarity.Tests.Donations.Checkout;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Faults;

/// <summary>
/// A site on a PostgreSQL cluster of its own whose jobs run in worker processes: the built site in Production with
/// `Jobs__Role=worker`, as an operator runs one, sending mail to a loopback server that offers STARTTLS. The test's
/// in-process host plays the web process: it migrates, enqueues jobs and reads the database. Workers poll every quarter
/// second and retry after a second, and a job whose worker died is handed on after five seconds
/// (`Jobs__InvisibilityTimeout`), rather than the five minutes of a real site.
/// </summary>
internal sealed class WorkerProcesses : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public const string DonorEmail = "jo@example.org";

    private readonly X509Certificate2 _mailCertificate = TestCertificate.ForMailServer();
    private readonly List<SiteProcess> _workers = [];
    private Dictionary<string, string?> _environment = [];

    private WorkerProcesses()
    {
    }

    public TestPostgres Server { get; private set; } = default!;

    public LoopbackSmtp Smtp { get; private set; } = default!;

    public SolidarityApp App { get; private set; } = default!;

    public SeededDispute Dispute { get; private set; } = default!;

    /// <summary>What every worker has written so far: for a failing test's message.</summary>
    public string WorkersOutput
    {
        get
        {
            lock (_workers)
            {
                return string.Join("\n", _workers.Select(w => $"--- worker process {w.Id} ---\n{w.Output}"));
            }
        }
    }

    public static async Task<WorkerProcesses> StartAsync(string name)
    {
        var site = new WorkerProcesses();
        try
        {
            site.Server = await TestPostgres.StartOwnClusterAsync();
            site.Smtp = await LoopbackSmtp.StartWithTlsAsync(site._mailCertificate);
            site.App = new SolidarityApp();
            await site.App.InitialiseAsync(site.Server, name);
            site.Dispute = await CheckoutTestData.SeedDisputeAsync(site.App);
            site._environment = SiteProcess.ProductionEnvironment(site.App.ConnectionString);
            site._environment["Jobs__Role"] = "worker";
            SiteProcess.SendMailTo(site._environment, site.Smtp, site._mailCertificate);

            // Longer than any test waits: a worker waiting on a stalled mail server is still waiting when it is killed.
            site._environment["Smtp__TimeoutSeconds"] = "120";
            site._environment["Jobs__QueuePollInterval"] = "00:00:00.250";
            site._environment["Jobs__SchedulePollingInterval"] = "00:00:00.500";
            site._environment["Jobs__InvisibilityTimeout"] = "00:00:05";
            site._environment["Jobs__ShutdownTimeout"] = "00:00:01";
            site._environment["Jobs__RetryDelaysSeconds__0"] = "1";
            return site;
        }
        catch
        {
            await site.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more worker process and waits until it has started.</summary>
    public async Task<SiteProcess> StartWorkerAsync()
    {
        var worker = await SiteProcess.StartAsync(_environment);
        lock (_workers)
        {
            _workers.Add(worker);
        }

        return worker;
    }

    /// <summary>A paid card donation of £25, split 60/40 between the dispute's branches, owed a receipt by email.</summary>
    public async Task<Guid> AddPaidDonationAsync()
    {
        var paidAt = DateTimeOffset.UtcNow;
        var parts = Allocation.Split(2_500, [6_000, 4_000]);
        var donation = new Donation
        {
            DisputeId = Dispute.Id, Method = DonationMethod.Card, Status = DonationStatus.Paid, AmountPence = 2_500,
            DonorName = "Jo Bloggs", Email = DonorEmail, CreatedAt = paidAt.AddMinutes(-2), PaidAt = paidAt,
            Allocations =
            [
                new DonationAllocation { BranchId = Dispute.MajorBranchId, AmountPence = parts[0] },
                new DonationAllocation { BranchId = Dispute.MinorBranchId, AmountPence = parts[1] },
            ],
        };
        await App.WithDbAsync(db =>
        {
            db.Donations.Add(donation);
            return db.SaveChangesAsync();
        });
        return donation.Id;
    }

    /// <summary>What the webhook does once Stripe confirms a payment: enqueues its receipt, which the workers issue and email.</summary>
    public string Confirm(Guid donationId) => Scheduler(s => s.DonationConfirmed(donationId));

    /// <summary>Enqueues a receipt's email once more, as a late retry or the recurring safety net would.</summary>
    public string EmailAgain(Guid receiptId) => Scheduler(s => s.EmailReceipt(receiptId));

    public Task<List<Receipt>> ReceiptsAsync() => App.WithDbAsync(db => db.Receipts.AsNoTracking().OrderBy(r => r.Number).ToListAsync());

    public Task<List<EmailDelivery>> DeliveriesAsync() => App.WithDbAsync(db => db.EmailDeliveries.AsNoTracking().ToListAsync());

    /// <summary>The ids of the jobs of <typeparamref name="TJob"/> in the queue's store, oldest first.</summary>
    public async Task<List<string>> JobsOfAsync<TJob>()
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT id FROM hangfire.job WHERE invocationdata::text LIKE @type ORDER BY id", connection);
        select.Parameters.AddWithValue("type", $"%{typeof(TJob).FullName}%");
        var ids = new List<string>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return ids;
    }

    public string? StateOf(string jobId)
    {
        using var connection = Storage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }

    /// <summary>
    /// The process of each worker that took the job, in order: Hangfire names a server "{machine}:{process id}:{guid}",
    /// and records it on each Processing state.
    /// </summary>
    public IReadOnlyList<int> ProcessesThatRan(string jobId) => HistoryOf(jobId)
        .Where(s => s.StateName == Hangfire.States.ProcessingState.StateName)
        .Select(s => s.Data["ServerId"].Split(':') is [.., var process, _] && int.TryParse(process, out var id)
            ? id
            : throw new InvalidOperationException($"No process id in the server id '{s.Data["ServerId"]}'."))
        .ToList();

    /// <summary>Every state the job has been in, oldest first.</summary>
    public IReadOnlyList<StateHistoryDto> HistoryOf(string jobId) =>
        Storage.GetMonitoringApi().JobDetails(jobId).History.OrderBy(s => s.CreatedAt).ToList();

    /// <summary>Polls until <paramref name="condition"/> holds; the timeout only stops a broken test from hanging.</summary>
    public async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"Still waiting for {what}.\n{WorkersOutput}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }

        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (Smtp is not null)
        {
            await Smtp.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        _mailCertificate.Dispose();
    }

    private JobStorage Storage => App.Services.GetRequiredService<JobStorage>();

    private string Scheduler(Func<ReceiptScheduler, string> enqueue)
    {
        using var scope = App.Services.CreateScope();
        return enqueue(scope.ServiceProvider.GetRequiredService<ReceiptScheduler>());
    }
}
