using Microsoft.EntityFrameworkCore;
using Solidarity.Core.Data;
using Solidarity.Web.Demo;
using Solidarity.Web.Infrastructure.Jobs;
using Solidarity.Web.Infrastructure.Stripe;
using Solidarity.Web.Pages.Account;

namespace Solidarity.Web.Infrastructure.Hosting;

internal static class Startup
{
    /// <summary>
    /// Runs the site, or one of its commands: `migrate` applies the migrations and exits;
    /// `seed-demo` also adds the demo data (never done automatically outside Development); `check-stripe` checks that
    /// Stripe's webhook endpoint for the site sends every event the site handles, exiting 1 if not; `create-admin`
    /// invites an admin, printing the link and emailing it.
    /// </summary>
    public static async Task<int> RunSolidarityAsync(this WebApplication app, string[] args)
    {
        var command = Command(args);
        var migrateOnStartup = app.Configuration.GetValue("Database:MigrateOnStartup", app.Environment.IsDevelopment());
        var seedDemo = app.Configuration.GetValue("DemoData:Seed", app.Environment.IsDevelopment());
        if (app.Environment.IsProduction() && (seedDemo || command == "seed-demo"))
        {
            // The demo branch officer's password is published in the README, and the demo admin's invitation link is
            // printed at every start until used: on a real site either would be a way in.
            await Console.Error.WriteLineAsync("Demo data is never added in Production: use a demonstration environment (e.g. ASPNETCORE_ENVIRONMENT=Demo).");
            return 2;
        }

        switch (command)
        {
            case "migrate":
                await MigrateAsync(app.Services);
                return 0;
            case "seed-demo":
                await MigrateAsync(app.Services);
                await SeedDemoAsync(app);
                return 0;
            case "check-stripe":
                return await CheckStripeAsync(app.Services);
            case CreateAdminCommand.Name:
                return await CreateAdminAsync(app.Services, args);
            case null:
                break;
            default:
                await Console.Error.WriteLineAsync($"Unknown command '{command}'. Commands: migrate, seed-demo, check-stripe, create-admin; or none to run the site.");
                return 2;
        }

        if (migrateOnStartup)
        {
            await MigrateAsync(app.Services);
        }

        if (seedDemo)
        {
            await SeedDemoAsync(app);
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
