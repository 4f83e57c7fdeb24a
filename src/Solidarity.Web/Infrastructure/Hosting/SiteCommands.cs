using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Solidarity.Web.Demo;
using Solidarity.Web.Infrastructure.Jobs;

namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// What `dotnet Solidarity.Web.dll [command]` does: runs the site, or one of its commands. `migrate` applies the
/// migrations and exits; `seed-demo` also adds the demo data (never done automatically outside Development);
/// `seed-volume` adds the demo data and then many donations and messages to it (Development only); `check-stripe` checks
/// that Stripe's webhook endpoint for the site sends every event the site handles, exiting 1 if not; `create-admin`
/// invites an admin, printing the link and emailing it; `remove-demo-accounts` removes the demo's accounts, as Production
/// does not start while any exists.
/// </summary>
internal static class SiteCommands
{
    /// <summary>The environments demo data may be added in: Development, a demonstration site, and the test suite's own.</summary>
    public static bool MaySeedDemo(IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment("Demo") || environment.IsEnvironment("Testing");

    public static async Task<int> RunSolidarityAsync(this WebApplication app, string[] args)
    {
        var command = Command(args);
        var migrateOnStartup = app.Configuration.GetValue("Database:MigrateOnStartup", app.Environment.IsDevelopment());
        var seedDemo = app.Configuration.GetValue("DemoData:Seed", app.Environment.IsDevelopment());
        if (!MaySeedDemo(app.Environment) && (seedDemo || command == "seed-demo"))
        {
            // The demo branch officer's password is published in the README, and the demo admin's invitation link is
            // printed at every start until used: on a real site (a staging copy of one too) either would be a way in.
            await Console.Error.WriteLineAsync(
                $"Demo data is never added in {app.Environment.EnvironmentName}: only in Development, or in a demonstration environment (ASPNETCORE_ENVIRONMENT=Demo)."
                + (seedDemo ? " DemoData:Seed is true here: remove DemoData__Seed from the settings." : ""));
            return 2;
        }

        if (command is not null)
        {
            try
            {
                return await RunCommandAsync(app, command, args);
            }
            finally
            {
                // The embedded database stops with the host, and a command never starts the host: without this, a
                // command run in Development would leave its PostgreSQL running after it exits.
                await DatabaseHosting.StopOwnDatabaseAsync(app.Services);
            }
        }

        if (migrateOnStartup)
        {
            await MigrateAsync(app.Services);
        }

        if (seedDemo)
        {
            await SeedDemoAsync(app);
        }

        if (!MaySeedDemo(app.Environment) && await DemoAccountsAsync(app.Services) is { Count: > 0 } demoAccounts)
        {
            await Console.Error.WriteLineAsync(DemoAccounts.Refusal(demoAccounts));
            return 2;
        }

        // Every role warns, web ones too: they read the same settings, and the mistake is seen sooner.
        RecurringJobs.WarnOfUnknownSchedules(app.Logger, app.Configuration);
        if (app.Services.GetRequiredService<JobsSettings>().Role is not JobsRole.Web)
        {
            // The processes that run jobs keep the schedules; a web-only process leaves them to its workers.
            app.RegisterRecurringJobs();
        }

        await app.RunAsync();
        return 0;
    }

    private static async Task<int> RunCommandAsync(WebApplication app, string command, string[] args)
    {
        switch (command)
        {
            case "migrate":
                await MigrateAsync(app.Services);
                return 0;
            case "seed-demo":
                await MigrateAsync(app.Services);
                await SeedDemoAsync(app);
                return 0;
            case "seed-volume":
                return await SeedVolumeAsync(app);
            case "check-stripe":
                return await CheckStripeAsync(app.Services);
            case CreateAdminCommand.Name:
                return await CreateAdminAsync(app.Services, args);
            case DemoAccounts.CommandName:
                return await RemoveDemoAccountsAsync(app.Services);
            default:
                await Console.Error.WriteLineAsync(
                    $"Unknown command '{command}'. Commands: migrate, seed-demo, seed-volume, check-stripe, create-admin, remove-demo-accounts; or none to run the site.");
                return 2;
        }
    }

    /// <summary>The first argument that is neither an option nor an option's value (`--role worker migrate` is `migrate`).</summary>
    private static string? Command(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith('-'))
            {
                i += args[i].Contains('=', StringComparison.Ordinal) ? 0 : 1;
                continue;
            }

            return args[i];
        }

        return null;
    }

    private static async Task MigrateAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SolidarityDbContext>();

        // Migrating reads the history table before it creates it, and a new database would log that read's failure as
        // an error on a healthy first start: the table is made first (CREATE TABLE IF NOT EXISTS, safe beside another
        // process doing the same).
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync();
        await db.Database.MigrateAsync();
    }

    private static async Task<int> CheckStripeAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<StripeWebhookCheck>().RunAsync(Console.Out, CancellationToken.None);
    }

    private static async Task<int> CreateAdminAsync(IServiceProvider services, string[] args)
    {
        await using var scope = services.CreateAsyncScope();
        var command = ActivatorUtilities.CreateInstance<CreateAdminCommand>(scope.ServiceProvider);
        return await command.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
    }

    private static async Task<int> RemoveDemoAccountsAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await ActivatorUtilities.CreateInstance<DemoAccounts>(scope.ServiceProvider).RunAsync(Console.Out, CancellationToken.None);
    }

    private static async Task<List<string>> DemoAccountsAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await ActivatorUtilities.CreateInstance<DemoAccounts>(scope.ServiceProvider).FindAsync(CancellationToken.None);
    }

    /// <summary>`seed-volume --donations N --messages M`: the demo, then N donations and M messages to its Argos dispute.</summary>
    private static async Task<int> SeedVolumeAsync(WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            // The ledger refuses deletes: made-up money seeded into a real site's ledger could never be taken out again.
            await Console.Error.WriteLineAsync(
                $"seed-volume fills the database with made-up donations and runs only in Development (ASPNETCORE_ENVIRONMENT=Development); this is {app.Environment.EnvironmentName}.");
            return 2;
        }

        if (Count(app.Configuration, "donations", 1_000_000) is not { } donations || Count(app.Configuration, "messages", 100_000) is not { } messages)
        {
            await Console.Error.WriteLineAsync("Usage: seed-volume [--donations N] [--messages M], with N and M whole numbers of 0 or more.");
            return 2;
        }

        await MigrateAsync(app.Services);
        await SeedDemoAsync(app);
        var report = await VolumeSeeder.SeedAsync(app.Services, donations, messages, CancellationToken.None);
        Console.WriteLine(
            $"Seeded {report.Donations:N0} donations ({Money.Pence(report.RaisedPence).Format(dropZeroPence: true)} from {report.DistinctDonors:N0} donors; " +
            $"{report.LedgerEntries:N0} ledger entries) and {report.Messages:N0} messages in {report.Elapsed.TotalSeconds:N0} s.");
        return 0;
    }

    /// <summary>A command's whole-number option (`--donations 2000` reaches configuration as `donations`); null when it is not one.</summary>
    private static int? Count(IConfiguration configuration, string key, int fallback) =>
        configuration[key] switch
        {
            null => fallback,
            var text when int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) => count,
            _ => null,
        };

    private static async Task SeedDemoAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var seeder = ActivatorUtilities.CreateInstance<DemoData>(scope.ServiceProvider);
        var report = await seeder.SeedAsync(CancellationToken.None);
        foreach (var line in report)
        {
            app.Logger.LogInformation("{DemoLine}", line);
        }
    }
}
