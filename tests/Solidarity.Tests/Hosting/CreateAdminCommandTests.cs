using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Accounts;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Pages.Account;
using Solidarity.Web.Pages.Admin;

namespace Solidarity.Tests.Hosting;

/// <summary>
/// `create-admin --email ADDRESS`: how a new site gets its first admin. It prints a one-time link, which works even when
/// the email carrying it cannot be sent, and whoever opens it chooses the password and enrols the app.
/// </summary>
public sealed class CreateAdminCommandTests(SiteFixture fixture) : SiteTest(fixture)
{
    private const string SiteUrl = "https://solidarity.example";
    private const string Email = "first-admin@example.org";

    [Fact]
    public async Task In_Production_the_command_prints_a_link_that_makes_the_first_admin_even_when_mail_fails()
    {
        var (exitCode, output, error) = await RunProcessAsync("create-admin", "--email", Email, "--name", "First Admin");

        Assert.True(exitCode == CreateAdminCommand.Succeeded, $"exit code {exitCode}; {error}");
        Assert.Contains("Warning: the invitation email could not be sent", error, StringComparison.Ordinal);
        var link = LinkIn(output);
        Assert.StartsWith(SiteUrl + Invitations.PathPrefix, link, StringComparison.Ordinal);

        using var client = SignIn.NewClient(App);
        var (accepted, _) = await Invite.AcceptWithAppAsync(client, new Uri(link).AbsolutePath);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        using var admin = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        var user = await App.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync());
        Assert.Equal("First Admin", user.DisplayName);
    }

    [Fact]
    public async Task The_command_emails_the_link_it_prints()
    {
        await using var smtp = await LoopbackSmtp.StartAsync();
        await using var site = WithMail(smtp.Port);

        var (exitCode, output, error) = await RunInProcessAsync(site, "create-admin", "--email", Email);

        Assert.Equal(CreateAdminCommand.Succeeded, exitCode);
        Assert.Equal("", error);
        var message = await smtp.WaitForMessageAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Email, message.To.Mailboxes.Single().Address);
        Assert.Contains(LinkIn(output), message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Running_it_again_withdraws_the_first_link()
    {
        var (_, first, _) = await RunInProcessAsync(App, "create-admin", "--email", Email);
        var (_, second, _) = await RunInProcessAsync(App, "create-admin", "--email", Email);
        using var client = SignIn.NewClient(App);

        using var old = await client.GetAsync(new Uri(LinkIn(first)).AbsolutePath);
        using var current = await client.GetAsync(new Uri(LinkIn(second)).AbsolutePath);

        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }

    [Fact]
    public async Task The_invitation_is_in_the_audit_log_as_done_from_the_command_line()
    {
        await RunInProcessAsync(App, "create-admin", "--email", Email);

        var entry = await App.WithDbAsync(db => db.AuditEntries.SingleAsync());

        Assert.Equal(AuditActions.InvitationIssued, entry.Action);
        Assert.Equal(AuditTrail.CommandLineActor, entry.UserName);
        Assert.Null(entry.UserId);
        Assert.Contains(Email, entry.Details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("--email")]
    [InlineData("--email", "not-an-address")]
    public async Task Without_an_email_address_it_prints_how_to_use_it_and_invites_nobody(params string[] options)
    {
        var (exitCode, _, error) = await RunInProcessAsync(App, ["create-admin", .. options]);

        Assert.Equal(CreateAdminCommand.BadArguments, exitCode);
        Assert.Contains(CreateAdminCommand.Usage, error, StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Invitations.AnyAsync()));
    }

    [Theory]
    [InlineData(201)]
    [InlineData(-1)]
    public async Task A_name_too_long_or_of_two_lines_is_refused_with_a_message_and_invites_nobody(int length)
    {
        var name = length < 0 ? "Sam\nSecond line" : new string('a', length);

        var (exitCode, _, error) = await RunInProcessAsync(App, "create-admin", "--email", Email, "--name", name);

        Assert.Equal(CreateAdminCommand.Refused, exitCode);
        Assert.Contains(Invitations.NameMessage, error, StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.Invitations.AnyAsync()));
    }

    [Fact]
    public async Task It_refuses_the_address_of_a_disabled_account()
    {
        var admin = await SignIn.CreateAccountAsync(App, Email, Roles.Admin, withAuthenticator: true);
        await App.WithDbAsync(db => db.Users.Where(u => u.Id == admin.Id).ExecuteUpdateAsync(u => u
            .SetProperty(x => x.LockoutEnabled, true).SetProperty(x => x.LockoutEnd, AccountStates.DisabledUntil)));

        var (exitCode, _, error) = await RunInProcessAsync(App, "create-admin", "--email", Email);

        Assert.Equal(CreateAdminCommand.Refused, exitCode);
        Assert.Contains("disabled", error, StringComparison.Ordinal);
    }

    private WebApplicationFactory<Program> WithMail(int port) => App.WithWebHostBuilder(b =>
    {
        b.UseSetting("Smtp:Host", "127.0.0.1");
        b.UseSetting("Smtp:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        b.UseSetting("Smtp:Security", "None");
        b.UseSetting("Site:BaseUrl", SiteUrl);
    });

    private static string LinkIn(string output) =>
        Assert.Single(output.Split('\n'), line => line.Contains(Invitations.PathPrefix, StringComparison.Ordinal)).Trim();

    private static async Task<(int ExitCode, string Output, string Error)> RunInProcessAsync(WebApplicationFactory<Program> site, params string[] args)
    {
        await using var scope = site.Services.CreateAsyncScope();
        await using var output = new StringWriter();
        await using var error = new StringWriter();
        var command = ActivatorUtilities.CreateInstance<CreateAdminCommand>(scope.ServiceProvider);
        var exitCode = await command.RunAsync(args, output, error, CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The built site, as an operator runs it: `dotnet Solidarity.Web.dll ARGS` in Production, with no mail server answering.</summary>
    private Task<(int ExitCode, string Output, string Error)> RunProcessAsync(params string[] args)
    {
        var environment = SiteProcess.ProductionEnvironment(App.ConnectionString, SiteUrl);
        environment["Smtp__Port"] = "9";
        environment["Smtp__TimeoutSeconds"] = "5";
        return SiteProcess.RunAsync(environment, args);
    }
}
