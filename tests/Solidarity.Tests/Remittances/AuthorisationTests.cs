using System.Net;
using Solidarity.Core.Remittances;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Remittances;

/// <summary>
/// Who may reach what, route by route: anonymous visitors are sent to sign in; a branch officer sees only their own
/// branch (anything of another branch is 404, as if it did not exist) and is refused the admin area; admins reach it all.
/// </summary>
public sealed class AuthorisationTests(JobsSiteFixture fixture) : RemittancesTest(fixture)
{
    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in_from_every_branch_and_admin_route()
    {
        var (statement, payment) = await StatementWithPaymentAsync(Burton);
        using var anonymous = SignIn.NewClient(App);

        foreach (var (method, path) in BranchRoutes(statement).Concat(AdminRoutes(statement)))
        {
            using var response = await SendAsync(anonymous, method, path, token: null, payment);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{method} {path}: {response.StatusCode}");
            Assert.Equal("/account/sign-in", response.Headers.Location!.AbsolutePath);
        }
    }

    [Fact]
    public async Task An_officer_gets_404_for_every_route_file_and_action_of_another_branch()
    {
        var (burtonStatement, burtonPayment) = await StatementWithPaymentAsync(Burton);
        var (lutterworthStatement, lutterworthPayment) = await StatementWithPaymentAsync(Lutterworth);
        var (officer, _) = await OfficerAsync(Lutterworth, "lutterworth@example.org");
        var token = await officer.AntiforgeryTokenAsync($"/branch/statements/{lutterworthStatement}");

        foreach (var (method, path) in StatementRoutes(burtonStatement).Append(("GET", $"/branch/statements/{Guid.NewGuid()}")))
        {
            using var response = await SendAsync(officer, method, path, token, burtonPayment);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {response.StatusCode}");
        }

        // Another branch's payment through the officer's own statement's address is no better.
        using (var mixed = await SendAsync(officer, "POST", $"/branch/statements/{lutterworthStatement}?handler=Confirm", token, burtonPayment))
        {
            Assert.Equal(HttpStatusCode.NotFound, mixed.StatusCode);
        }

        var burtonConfirmed = await App.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
            db.RemittancePayments, p => p.Id == burtonPayment));
        Assert.Null(burtonConfirmed.ConfirmedAt);

        // The same routes for the officer's own branch answer, so the 404s above are about the branch, not the routes.
        foreach (var (method, path) in StatementRoutes(lutterworthStatement).Append(("GET", "/branch")).Append(("GET", "/branch/messages")).Append(("GET", "/branch/messages/booklet")))
        {
            using var response = await SendAsync(officer, method, path, token, lutterworthPayment);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"{method} {path}: {response.StatusCode}");
        }

        var home = await (await officer.GetAsync("/branch")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(burtonStatement.ToString(), home, StringComparison.Ordinal);
        Assert.DoesNotContain("WM7680", home, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_officer_is_refused_every_admin_route_with_403()
    {
        var (statement, payment) = await StatementWithPaymentAsync(Burton);
        var (officer, _) = await OfficerAsync(Burton, "officer@example.org");
        var token = await officer.AntiforgeryTokenAsync($"/branch/statements/{statement}");

        foreach (var (method, path) in AdminRoutes(statement))
        {
            using var response = await SendAsync(officer, method, path, token, payment);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{method} {path}: {response.StatusCode}");
            Assert.Equal("/account/access-denied", response.Headers.Location!.AbsolutePath);
            using var denied = await officer.GetAsync(response.Headers.Location);
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }

        Assert.Null((await StatementsAsync(Burton)).Single().ApprovedAt);
    }

    [Fact]
    public async Task An_admin_reaches_every_admin_route_and_download_but_not_the_branch_portal()
    {
        var (statement, _) = await StatementWithPaymentAsync(Burton);
        var (admin, _) = await SignIn.AsAdminAsync(App);

        foreach (var (_, path) in AdminRoutes(statement).Where(r => r.Method == "GET"))
        {
            using var response = await admin.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {response.StatusCode}");
        }

        using (var unknown = await admin.GetAsync($"/admin/remittances/statements/{Guid.NewGuid()}/pdf"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using (var format = await admin.GetAsync($"/admin/remittances/statements/{statement}/xlsx"))
        {
            Assert.Equal(HttpStatusCode.NotFound, format.StatusCode);
        }

        using var branch = await admin.GetAsync("/branch");
        Assert.Equal("/account/access-denied", branch.Headers.Location!.AbsolutePath);
    }

    private static IEnumerable<(string Method, string Path)> StatementRoutes(Guid statement) =>
    [
        ("GET", $"/branch/statements/{statement}"),
        ("GET", $"/branch/statements/{statement}/pdf"),
        ("GET", $"/branch/statements/{statement}/csv"),
        ("POST", $"/branch/statements/{statement}?handler=Confirm"),
    ];

    private static IEnumerable<(string Method, string Path)> BranchRoutes(Guid statement) =>
        StatementRoutes(statement).Concat([("GET", "/branch"), ("GET", "/branch/messages"), ("GET", "/branch/messages/booklet")]);

    private static IEnumerable<(string Method, string Path)> AdminRoutes(Guid statement) =>
    [
        ("GET", "/admin/remittances"),
        ("GET", $"/admin/remittances/statements/{statement}"),
        ("GET", $"/admin/remittances/statements/{statement}/pdf"),
        ("GET", $"/admin/remittances/statements/{statement}/csv"),
        ("POST", $"/admin/remittances/statements/{statement}?handler=Approve"),
        ("POST", $"/admin/remittances/statements/{statement}?handler=Pay"),
    ];

    /// <summary>A statement of <paramref name="branch"/> with an approved, recorded transfer the officer has not confirmed.</summary>
    private async Task<(Guid Statement, Guid Payment)> StatementWithPaymentAsync(Guid branch)
    {
        await GiveAsync(branch, 10_000, WeekOneEnd.AddDays(-1), 170, publicName: "Jo");
        var statement = (await BuildAsync(branch, WeekOneEnd))!.Value;
        var payment = new RemittancePayment
        {
            StatementId = statement, BranchId = branch, AmountPence = 100, PaidOn = new DateOnly(2017, 5, 23),
            BankReference = $"REF {branch}", ReferenceKey = RemittancePayment.NormaliseReference($"REF {branch}"),
            RecordedAt = WeekOneEnd.AddDays(1), RecordedByUserId = Guid.NewGuid(), RecordedByName = "payer@example.org",
        };
        await App.WithDbAsync(db =>
        {
            db.RemittancePayments.Add(payment);
            return db.SaveChangesAsync();
        });
        return (statement, payment.Id);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, string? token, Guid payment)
    {
        if (method == "GET")
        {
            return client.GetAsync(path);
        }

        var fields = new Dictionary<string, string>
        {
            ["paymentId"] = payment.ToString(), ["Input.Amount"] = "1.00", ["Input.BankReference"] = "ATTEMPT", ["Input.PaidOn"] = "2017-05-23",
        };
        if (token is not null)
        {
            fields[HtmlPages.AntiforgeryField] = token;
        }

        return client.PostAsync(path, new FormUrlEncodedContent(fields));
    }
}
