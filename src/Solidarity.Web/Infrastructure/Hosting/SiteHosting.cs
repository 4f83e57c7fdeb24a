using Solidarity.Web.Pages.Disputes;

namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// What every part of the site stands on: its address, data protection, forwarded headers, health, Razor Pages with each
/// area's policy and audience, cookies, clocks and the public pages' cache; and the request pipeline. The features add
/// their own parts (Program.cs lists them).
/// </summary>
internal static class SiteHosting
{
    public static void AddSiteHosting(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        if (ProductionSettings.Enforced(builder.Environment) && string.IsNullOrWhiteSpace(builder.Configuration[SiteAddress.Setting]))
        {
            // Receipt e-mails, digests and feeds carry absolute links; guessing them from a request would be wrong in a job.
            throw new InvalidOperationException("Site:BaseUrl is not set: set Site__BaseUrl to the site's public address, e.g. https://solidarity.example.org.");
        }

        if (builder.Configuration[SiteAddress.Setting] is { Length: > 0 } baseUrl
            && !(Uri.TryCreate(baseUrl, UriKind.Absolute, out var address) && address.Scheme is "https" or "http"))
        {
            // Every link in an email, a feed and a passkey's relying party is made from it: a host without its scheme
            // would make links that go nowhere.
            throw new InvalidOperationException(
                $"Site:BaseUrl is \"{baseUrl}\", which is not a whole web address: set Site__BaseUrl to the site's public address with its scheme, e.g. https://solidarity.example.org.");
        }

        builder.KeepLinkTokensOutOfLogs();
        builder.AddSolidarityDataProtection();
        builder.AddSolidarityForwardedHeaders();
        builder.AddSolidarityHealth();
        services.AddRazorPages(options =>
        {
            // One policy per page: the moderation folders take the moderation policy instead of the admin one, and
            // every other page under /Admin, present or future, is for admins.
            options.Conventions.AddFolderApplicationModelConvention("/Admin", page => page.EndpointMetadata.Add(
                new AuthorizeAttribute(AccountsHosting.IsModerationPage(page.ViewEnginePath) ? AccountsHosting.ModerationPolicy : AccountsHosting.AdminPolicy)));
            options.Conventions.AuthorizeFolder("/Branch", AccountsHosting.BranchOfficerPolicy);

            // An account page is for someone signed in unless it says [AllowAnonymous] (signing in, resetting a
            // password, accepting an invitation), so a new account page is never open by omission.
            options.Conventions.AuthorizeFolder("/Account");
            options.Conventions.Add(new AudienceConvention());
            options.Conventions.ConfigureFilter(new RequestsWithoutAnswer());
        });
        services.Configure<MvcOptions>(mvc =>
        {
            mvc.ModelBinderProviders.Insert(0, new TypedTextBinderProvider());
            ModelBindingMessages.Use(mvc.ModelBindingMessageProvider);
        });
        services.AddAntiforgery(antiforgery => antiforgery.Cookie.Name = "solidarity.antiforgery");

        // A year rather than the default 30 days: a visitor who saw the site once is not sent to its plain-HTTP address
        // again by a network that strips TLS. Subdomains are left to the operator, whose other sites they may be.
        services.AddHsts(hsts => hsts.MaxAge = TimeSpan.FromDays(365));
        builder.AddSiteCookies();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<LondonClock>();
        services.AddSingleton<SiteAddress>();
        services.AddProblemDetails();
        services.AddPublicPageCaching();
    }

    /// <summary>The request pipeline; Program.cs maps the endpoints after it.</summary>
    public static void UseSolidarity(this WebApplication app)
    {
        // The site writes British English whatever the server's locale ("1,400 workers", "33.33%"): every request, and
        // every job (Hangfire runs each in the culture it was enqueued in, and the process's own threads in this one).
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = LondonClock.Uk;
        app.UseRequestLocalization(new RequestLocalizationOptions
        {
            DefaultRequestCulture = new Microsoft.AspNetCore.Localization.RequestCulture(LondonClock.Uk),
            SupportedCultures = [LondonClock.Uk],
            SupportedUICultures = [LondonClock.Uk],
            RequestCultureProviders = [],
        });
        app.UseSolidarityForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error");
            app.UseHsts();
        }
        else
        {
            app.UseDeveloperExceptionPage();
        }

        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.UseSecurityHeaders();
        app.UseStaticFiles();
        app.UseFormerDisputeAddresses();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UsePublicPageCaching();
    }
}
