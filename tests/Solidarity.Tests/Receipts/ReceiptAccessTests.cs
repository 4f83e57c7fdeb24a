using System.Net;
using Hangfire;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Solidarity.Core.Accounts;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;
using Solidarity.Web.Infrastructure.Jobs;
using Solidarity.Web.Pages.Receipts;

namespace Solidarity.Tests.Receipts;

public sealed class ReceiptAccessTests(JobsSiteFixture fixture) : ReceiptsTest(fixture)
{
    [Fact]
    public async Task Emailed_link_downloads_the_pdf_while_bad_tampered_or_expired_tokens_answer_the_same_404()
    {
        var (receiptPdf, token) = await IssueAndEmailAsync();
        using var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using (var good = await client.GetAsync($"/receipts/{token}"))
        {
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
            Assert.Equal(receiptPdf, await good.Content.ReadAsByteArrayAsync());
            Assert.Contains("no-store", good.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        }

        var tampered = token[..20] + (token[20] == 'A' ? 'B' : 'A') + token[21..];
        var random = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var answers = new List<string>();
        foreach (var bad in new[] { tampered, random, token[..^1], token + "A", "not-a-token", token.ToUpperInvariant() })
        {
            using var response = await client.GetAsync($"/receipts/{bad}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        await App.WithDbAsync(db => db.Receipts.ExecuteUpdateAsync(r => r.SetProperty(x => x.DownloadTokenExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1))));
        using (var expired = await client.GetAsync($"/receipts/{token}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
            answers.Add(await expired.Content.ReadAsStringAsync());
        }

        // The one answer says where else to find the receipt.
        Assert.Equal(ReceiptEndpoints.ReceiptNotFound, Assert.Single(answers.Distinct()));
    }

    [Fact]
    public async Task An_emailed_link_works_for_30_days_by_default()
    {
        await IssueAndEmailAsync();

        var expires = await App.WithDbAsync(db => db.Receipts.Select(r => r.DownloadTokenExpiresAt).SingleAsync());

        Assert.InRange(expires!.Value - DateTimeOffset.UtcNow, TimeSpan.FromDays(30) - TimeSpan.FromHours(1), TimeSpan.FromDays(30));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Solidarity.Tests.Infrastructure.CapturedLogs:")]
    public async Task The_request_logs_never_hold_a_link_token_even_when_every_category_is_turned_up(string provider)
    {
        // With a provider named, its rules outrank every rule that names none: the usual way to turn one log up.
        var (_, token) = await IssueAndEmailAsync();
        using var logs = new Infrastructure.CapturedLogs();
        await using var site = App.WithWebHostBuilder(b => b
            .UseSetting($"Logging:{provider}LogLevel:Default", "Trace")
            .UseSetting($"Logging:{provider}LogLevel:Microsoft.AspNetCore", "Trace")
            .UseSetting($"Logging:{provider}LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "Trace")

            // A longer category outranks a shorter one: the route matcher logs each path it matches, at Debug.
            .UseSetting($"Logging:{provider}LogLevel:Microsoft.AspNetCore.Routing.Matching", "Trace")
            .ConfigureLogging(logging => logging.AddProvider(logs)));
        using var client = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using (var receipt = await client.GetAsync($"/receipts/{token}"))
        {
            Assert.Equal(HttpStatusCode.OK, receipt.StatusCode);
        }

        using (await client.GetAsync($"/receipts/{token}x?from=email"))
        {
        }

        using (await client.GetAsync("/account/invitation/an-invitation-token-that-must-not-be-logged"))
        {
        }

        Assert.NotEmpty(logs.Entries);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Trace);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(token, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("an-invitation-token-that-must-not-be-logged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_page_opened_by_a_link_token_sends_only_the_origin_as_referrer_so_its_own_requests_do_not_repeat_the_token()
    {
        var (_, token) = await IssueAndEmailAsync();
        using var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        foreach (var path in new[] { $"/receipts/{token}", "/monthly/manage/no-such-token", "/account/invitation/no-such-token", "/account/reset-password?token=x" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal("strict-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        }

        using var home = await client.GetAsync("/");
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(home.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task Only_the_hash_of_the_download_token_is_stored()
    {
        var (_, token) = await IssueAndEmailAsync();

        var stored = await App.WithDbAsync(db => db.Receipts.Select(r => r.DownloadTokenHash).SingleAsync());
        Assert.NotNull(stored);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(token)), stored);
    }

    [Fact]
    public async Task Thank_you_download_answers_only_the_browser_that_made_the_donation()
    {
        var donation = await AddDonationAsync(email: null);
        var other = await AddDonationAsync(email: null);
        using var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var cookie = DonorCookie(donation.Id);

        using (var early = await Get(client, $"/donations/{donation.Id}/receipt", cookie))
        {
            Assert.Equal(HttpStatusCode.NotFound, early.StatusCode);
        }

        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(other.Id, CancellationToken.None));

        using (var mine = await Get(client, $"/donations/{donation.Id}/receipt", cookie))
        {
            Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
            Assert.Equal("application/pdf", mine.Content.Headers.ContentType?.MediaType);
            var number = (await ReceiptsAsync()).Single(r => r.DonationId == donation.Id).Number;
            Assert.Contains(number, PdfTextReader.Words(await mine.Content.ReadAsByteArrayAsync()), StringComparison.Ordinal);
        }

        using (var stranger = await Get(client, $"/donations/{donation.Id}/receipt", cookie: null))
        {
            Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        }

        var forgedForOther = cookie.Replace(donation.Id.ToString("N"), other.Id.ToString("N"), StringComparison.Ordinal);
        using (var someoneElses = await Get(client, $"/donations/{other.Id}/receipt", forgedForOther))
        {
            Assert.Equal(HttpStatusCode.NotFound, someoneElses.StatusCode);
        }
    }

    [Fact]
    public async Task Jobs_dashboard_is_for_admins_signed_in_with_a_second_factor_only()
    {
        using var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using (var anonymous = await Get(client, "/admin/jobs", cookie: null))
        {
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.StartsWith("/account/sign-in", anonymous.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
        }

        var officer = await SignIn.CreateAccountAsync(App, "officer@example.org", Roles.BranchOfficer, withAuthenticator: true);
        using var officerWithSecondFactor = await SignIn.WithTwoFactorAsync(App, officer);

        // No sign-in page gives an admin a session without a second factor: the stand-in admin has one.
        await using var standIn = AdminSite.For(App);
        using var adminWithoutSecondFactor = standIn.AdminClient("no-mfa");
        foreach (var refusedClient in new[] { officerWithSecondFactor, adminWithoutSecondFactor })
        {
            using var refused = await Get(refusedClient, "/admin/jobs", cookie: null);
            Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
            Assert.DoesNotContain("Solidarity jobs", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var (adminClient, _) = await SignIn.AsAdminAsync(App);
        using var admin = await Get(adminClient, "/admin/jobs", cookie: null);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("Solidarity jobs", await admin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_dashboard_shows_the_jobs_but_offers_no_action_on_them()
    {
        RecurringJobs.Register(App.Services.GetRequiredService<IRecurringJobManager>(), App.Services.GetRequiredService<IConfiguration>());
        var (client, _) = await SignIn.AsAdminAsync(App);

        using var page = await Get(client, "/admin/jobs/recurring", cookie: null);

        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(IssueMissingReceiptsJob.RecurringJobId, html, StringComparison.Ordinal);
        Assert.DoesNotContain("js-jobs-list-command", html, StringComparison.Ordinal);

        // Its state cards are drawn with inline style attributes, which its own policy allows; scripts stay files only.
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("style-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
    }

    private async Task<(byte[] Pdf, string Token)> IssueAndEmailAsync()
    {
        var donation = await AddDonationAsync();
        await RunAsync<IssueReceiptJob>(job => job.RunAsync(donation.Id, CancellationToken.None));
        var receipt = Assert.Single(await ReceiptsAsync());
        await RunAsync<SendReceiptEmailJob>(job => job.RunAsync(receipt.Id, CancellationToken.None));
        var link = ReceiptJobServerTests.LinkIn(Assert.Single(Smtp.Messages));
        return (receipt.Pdf, link[(link.LastIndexOf('/') + 1)..]);
    }

    private string DonorCookie(Guid donationId)
    {
        var http = new DefaultHttpContext { RequestServices = App.Services };
        App.Services.GetRequiredService<DonorBrowser>().Remember(http, donationId);
        return http.Response.Headers.SetCookie.ToString().Split(';')[0];
    }

    private static Task<HttpResponseMessage> Get(HttpClient client, string path, string? cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return client.SendAsync(request);
    }
}
