using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Solidarity.Core.Accounts;

namespace Solidarity.Testing;

/// <summary>
/// A forged admin, for sessions the sign-in pages never give: tests sign an admin in with <see cref="SignIn.AsAdminAsync"/>,
/// the one way in. A request carrying <see cref="Header"/> to the site from <see cref="For"/> is an admin who used a
/// second factor (or not, when the header says "no-mfa"), known by another scheme than the cookie, so the Admin policy
/// itself is exercised against what no page would hand out. <see cref="Principal"/> is the same admin for calling the
/// site's services directly, as its pages do.
/// </summary>
public static class AdminSite
{
    public const string Header = "X-Test-Admin";
    public static readonly Guid AdminId = Guid.Parse("0190a0a0-0000-7000-8000-000000000001");

    public static WebApplicationFactory<Program> For(SolidarityApp app) => app.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, TestAdminHandler>(TestAdminHandler.SchemeName, _ => { });
        services.PostConfigure<AuthenticationOptions>(o =>
        {
            o.DefaultAuthenticateScheme = TestAdminHandler.SchemeName;
            o.DefaultChallengeScheme = TestAdminHandler.SchemeName;
            o.DefaultForbidScheme = TestAdminHandler.SchemeName;
        });
    }));

    /// <summary>The stand-in admin as a principal, for calling the site's services directly as its admin pages do.</summary>
    public static ClaimsPrincipal Principal() => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, AdminId.ToString()), new Claim(ClaimTypes.Email, "treasurer@example.org")], "test"));

    public static HttpClient AdminClient(this WebApplicationFactory<Program> site, string as_ = "mfa")
    {
        var client = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add(Header, as_);
        return client;
    }

    private sealed class TestAdminHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestAdmin";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(Header, out var value))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            List<Claim> claims =
            [
                new(ClaimTypes.NameIdentifier, AdminId.ToString()),
                new(ClaimTypes.Name, "treasurer@example.org"),
                new(ClaimTypes.Role, Roles.Admin),
            ];
            if (value == "mfa")
            {
                claims.Add(new Claim("amr", "mfa"));
            }

            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
    }
}
