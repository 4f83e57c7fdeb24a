using Hangfire.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;
using Solidarity.Web.Infrastructure.Email;
using Solidarity.Web.Infrastructure.Jobs;

namespace Solidarity.Tests.Receipts;

public sealed class JobsRoleTests
{
    [Theory]
    [InlineData(new[] { "--role", "web" }, null, "Web", false, false)]
    [InlineData(new[] { "--role", "worker" }, null, "Worker", true, true)]
    [InlineData(new string[0], null, "All", true, false)]
    [InlineData(new string[0], "web", "Web", false, false)]
    [InlineData(new[] { "--role=worker" }, "web", "Worker", true, true)]
    public void Role_decides_whether_the_process_runs_a_job_server_and_serves_http(
        string[] args, string? configuredRole, string expected, bool runsJobServer, bool servesNoHttp)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration["ConnectionStrings:Solidarity"] = "Host=127.0.0.1;Database=unused";
        if (configuredRole is not null)
        {
            builder.Configuration["Jobs:Role"] = configuredRole;
        }

        Assert.Equal(Enum.Parse<JobsRole>(expected), builder.AddJobs());

        var hosted = builder.Services.Where(s => s.ServiceType == typeof(IHostedService)).ToList();
        Assert.Equal(runsJobServer, hosted.Any(s => s.ImplementationFactory is not null && s.ImplementationFactory.Method.DeclaringType?.Assembly.GetName().Name == "Hangfire.NetCore"));
        Assert.Equal(servesNoHttp, builder.Services.Last(s => s.ServiceType == typeof(IServer)).ImplementationType?.Name == "NoHttpServer");
    }

    [Fact]
    public void Unknown_role_stops_start_up()
    {
        var builder = WebApplication.CreateBuilder(["--role", "cook"]);
        builder.Configuration["ConnectionStrings:Solidarity"] = "Host=127.0.0.1;Database=unused";

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddJobs());
        Assert.Contains("web, worker, all", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retry_back_off_comes_from_configuration_and_leaves_hangfire_globals_alone()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:Solidarity"] = "Host=127.0.0.1;Database=unused";
        builder.Configuration["Jobs:RetryAttempts"] = "4";
        builder.Configuration["Jobs:RetryDelaysSeconds:0"] = "7";
        builder.AddJobs();

        List<object> filters;
        using (var services = builder.Services.BuildServiceProvider())
        {
            filters = services.GetRequiredService<IJobFilterProvider>().GetFilters(null).Select(f => f.Instance).ToList();
        }

        // Hangfire's static log provider was bound to the provider just disposed.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        var retry = Assert.Single(filters.OfType<Hangfire.AutomaticRetryAttribute>());
        Assert.Equal(4, retry.Attempts);
        Assert.Equal([7], retry.DelaysInSeconds);
        Assert.Equal(10, Assert.Single(Hangfire.GlobalJobFilters.Filters.Select(f => f.Instance).OfType<Hangfire.AutomaticRetryAttribute>()).Attempts);
    }

    [Fact]
    public async Task Without_a_mail_server_messages_are_written_as_eml_files()
    {
        var folder = Directory.CreateTempSubdirectory("mail");
        try
        {
            var sender = new PickupFolderEmailSender(folder.FullName, Microsoft.Extensions.Logging.Abstractions.NullLogger<PickupFolderEmailSender>.Instance);
            var message = new MimeMessage { Subject = "Your receipt SOL-2026-000001", MessageId = "receipt-1@solidarity.test" };
            message.From.Add(MailboxAddress.Parse("receipts@solidarity.test"));
            message.To.Add(MailboxAddress.Parse("jo@example.org"));
            message.Body = new TextPart("plain") { Text = "Thank you." };

            await sender.SendAsync(message, CancellationToken.None);

            var written = Assert.Single(folder.GetFiles("*.eml"));
            Assert.Equal("Your receipt SOL-2026-000001", (await MimeMessage.LoadAsync(written.FullName)).Subject);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
