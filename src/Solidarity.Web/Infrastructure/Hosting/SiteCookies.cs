using Microsoft.AspNetCore.Authentication.Cookies;

namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// Every cookie the site sets. On a real site (any environment but Development and the test suite's "Testing") each is
/// marked Secure and named with the <c>__Host-</c> prefix, which browsers accept only from a secure page, for path
/// <c>/</c> and no domain: so a neighbouring subdomain, or a page served over plain HTTP by a network in the middle,
/// can neither read nor plant a sign-in, form or donation cookie. Development and the tests serve plain
/// http://localhost, where those cookies would not come back.
/// </summary>
internal static class SiteCookies
{
    public const string HostPrefix = "__Host-";

    /// <summary>The environment the test suite hosts the site in.</summary>
    public const string TestingEnvironment = "Testing";

    public static bool Hardened(IHostEnvironment environment) =>
        !environment.IsDevelopment() && !environment.IsEnvironment(TestingEnvironment);

    /// <summary>A cookie's name as it is set in <paramref name="environment"/>.</summary>
    public static string Name(IHostEnvironment environment, string name) => Hardened(environment) ? HostPrefix + name : name;

    public static void AddSiteCookies(this WebApplicationBuilder builder)
    {
        if (!Hardened(builder.Environment))
        {
            return;
        }

        var services = builder.Services;

        // After every scheme's own configuration (Identity's sign-in, two-factor and remembered-device cookies), so
        // each keeps its name and gains the prefix.
        services.PostConfigureAll<CookieAuthenticationOptions>(options => Harden(options.Cookie));
        services.PostConfigure<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>(options => Harden(options.Cookie));
        services.PostConfigure<CookieTempDataProviderOptions>(options => Harden(options.Cookie));
    }

    private static void Harden(CookieBuilder cookie)
    {
        if (cookie.Name is { } name && !name.StartsWith(HostPrefix, StringComparison.Ordinal))
        {
            cookie.Name = HostPrefix + name;
        }

        cookie.SecurePolicy = CookieSecurePolicy.Always;
        cookie.Path = "/";
        cookie.Domain = null;
    }
}
