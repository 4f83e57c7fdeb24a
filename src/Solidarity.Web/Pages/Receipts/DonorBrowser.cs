using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.DataProtection;

namespace Solidarity.Web.Pages.Receipts;

/// <summary>
/// Remembers, for a day, that this browser made a donation, so its thank-you page may offer the receipt
/// without a login or a token in the address. The cookie is HttpOnly, encrypted and time-limited by data
/// protection, and names one donation; a donation id seen elsewhere (Stripe, logs, a shared link) opens nothing.
/// </summary>
[SuppressMessage("Maintainability", "CA1515", Justification = "The public ReceiptLinkViewComponent takes it in its constructor.")]
public sealed class DonorBrowser(IDataProtectionProvider protection, IOptions<ReceiptSettings> options, TimeProvider time, IHostEnvironment environment)
{
    private readonly string _cookiePrefix = Infrastructure.Hosting.SiteCookies.Name(environment, "solidarity.donation.");
    private readonly bool _secure = Infrastructure.Hosting.SiteCookies.Hardened(environment);

    private readonly ITimeLimitedDataProtector _protector =
        protection.CreateProtector("Solidarity.Receipts.DonorBrowser").ToTimeLimitedDataProtector();

    /// <summary>Call when the donation is created, on the response that sends the donor to checkout.</summary>
    public void Remember(HttpContext http, Guid donationId)
    {
        var lifetime = options.Value.DonorBrowserLifetime;
        var expires = time.GetUtcNow() + lifetime;
        http.Response.Cookies.Append(CookieName(donationId), _protector.Protect(donationId.ToString("N"), expires), new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = _secure || http.Request.IsHttps,
            Path = "/",
            MaxAge = lifetime,
        });
    }

    public bool MadeDonation(HttpContext http, Guid donationId)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName(donationId), out var value) || string.IsNullOrEmpty(value))
        {
            return false;
        }

        try
        {
            return _protector.Unprotect(value, out var expires) == donationId.ToString("N") && expires > time.GetUtcNow();
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    private string CookieName(Guid donationId) => _cookiePrefix + donationId.ToString("N");
}
