using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Solidarity.Core.Accounts;
using Solidarity.Core.Data;
using Solidarity.Web.Demo;
using Solidarity.Web.Infrastructure.Email;
using Solidarity.Web.Infrastructure.Jobs;
using Solidarity.Web.Infrastructure.Pdf;
using Solidarity.Web.Infrastructure.Stripe;
using Solidarity.Web.Infrastructure.Throttling;
using Solidarity.Web.Pages.Account;
using Solidarity.Web.Pages.Admin.Donors;
using Solidarity.Web.Pages.Admin.Money;
using Solidarity.Web.Pages.Disputes.Books;
using Solidarity.Web.Pages.Disputes;
using Solidarity.Web.Pages.Donations.Checkout;
using Solidarity.Web.Pages.Donations.Monthly;
using Solidarity.Web.Pages.Donations.Webhooks;
using Solidarity.Web.Pages.Feeds;
using Solidarity.Web.Pages.Ledger;
using Solidarity.Web.Pages.Messages;
using Solidarity.Web.Pages.Receipts;
using Solidarity.Web.Pages.Remittances;

namespace Solidarity.Web.Infrastructure.Hosting;

internal static class SolidarityServices
{
    public const string AdminPolicy = "Admin";
    public const string ModerationPolicy = "Moderation";
    public const string BranchOfficerPolicy = "BranchOfficer";

    /// <summary>The admin area's folders that moderators share with admins; everything else in it is for admins only.</summary>
    public static readonly string[] ModerationFolders = ["/Admin/Messages/", "/Admin/Updates/"];

    /// <summary>
    /// How often a session is checked against its account: a disabled account, a changed password or a reset second
    /// factor changes the security stamp, and the account's open sessions end at their next check.
    /// </summary>
    public static readonly TimeSpan SessionCheckInterval = TimeSpan.FromMinutes(1);

    /// <summary>The authentication-method claim Identity adds when a second factor was used.</summary>
    public const string MfaAmr = "mfa";

    /// <summary>The sign-in cookie: a request carrying it is never served from, nor stored in, the public pages' cache.</summary>
    public const string AuthCookieName = "solidarity.auth";

    public static void AddSolidarityServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        if (builder.Environment.IsProduction() && string.IsNullOrWhiteSpace(builder.Configuration[SiteAddress.Setting]))
        {
            // Receipt e-mails, digests and feeds carry absolute links; guessing them from a request would be wrong in a job.
            throw new InvalidOperationException("Site:BaseUrl is not set: set Site__BaseUrl to the site's public address, e.g. https://solidarity.example.org.");
        }

        builder.KeepLinkTokensOutOfLogs();
        builder.AddSolidarityDataProtection();
        builder.AddSolidarityForwardedHeaders();
        builder.AddSolidarityHealth();
        services.AddIdentity<ApplicationUser, IdentityRole<Guid>>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.SignIn.RequireConfirmedAccount = false;
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = false;
                // No lock: anyone who knows an address could keep its owner out. SignInThrottle slows whoever fails instead.
                options.Lockout.AllowedForNewUsers = false;
                options.Lockout.MaxFailedAccessAttempts = int.MaxValue;
                options.Tokens.AuthenticatorTokenProvider = OnceOnlyAuthenticatorTokenProvider.Name;
                options.Stores.SchemaVersion = SolidarityDbContext.IdentitySchema;
            })
            .AddEntityFrameworkStores<SolidarityDbContext>()
            .AddClaimsPrincipalFactory<AccountClaims>()
            .AddUserStore<SolidarityUserStore>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<OnceOnlyAuthenticatorTokenProvider>(OnceOnlyAuthenticatorTokenProvider.Name);
        services.AddScoped<SignInThrottle>();
        builder.AddPasskeys();
        services.AddSingleton<SecondFactorSecrets>();
        builder.AddThrottling();

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/account/sign-in";
            cookie.LogoutPath = "/account/sign-out";
            cookie.AccessDeniedPath = "/account/access-denied";
            cookie.Cookie.Name = AuthCookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = SessionLimits.OfficerIdle;
            cookie.SlidingExpiration = true;
            var checkSecurityStamp = cookie.Events.OnValidatePrincipal;
            cookie.Events.OnValidatePrincipal = async context =>
            {
                await checkSecurityStamp(context);
                await SessionLimits.ValidateAsync(context);
            };
            cookie.Events.OnSigningIn = SessionLimits.SigningInAsync;
        });

        // The sessions' limits are counted on the site's clock, which tests move instead of waiting.
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<TimeProvider>((cookie, time) => cookie.TimeProvider = time);

        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireRole(Roles.Admin)
                .RequireClaim("amr", MfaAmr))
            .AddPolicy(ModerationPolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireRole(Roles.Admin, Roles.Moderator)
                .RequireClaim("amr", MfaAmr))
            .AddPolicy(BranchOfficerPolicy, policy => policy
                .RequireAuthenticatedUser()
                .RequireRole(Roles.BranchOfficer));

        services.AddRazorPages(options =>
        {
            // One policy per page: the moderation folders take the moderation policy instead of the admin one, and
            // every other page under /Admin, present or future, is for admins.
            options.Conventions.AddFolderApplicationModelConvention("/Admin", page => page.EndpointMetadata.Add(
                new AuthorizeAttribute(IsModerationPage(page.ViewEnginePath) ? ModerationPolicy : AdminPolicy)));
            options.Conventions.AuthorizeFolder("/Branch", BranchOfficerPolicy);

            // An account page is for someone signed in unless it says [AllowAnonymous] (signing in, resetting a
            // password, accepting an invitation), so a new account page is never open by omission.
            options.Conventions.AuthorizeFolder("/Account");
            options.Conventions.Add(new AudienceConvention());
        });
        services.AddAntiforgery(antiforgery => antiforgery.Cookie.Name = "solidarity.antiforgery");
        builder.AddSiteCookies();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<LondonClock>();
        services.AddSingleton<SiteAddress>();
        services.AddScoped<Pages.Disputes.DisputeTotalsQuery>();
        services.AddOpenBooks();
        builder.AddLedger();
        services.AddStripeWebhooks();
        services.AddMonthlyGiving();
        services.AddOfflineMoney();
        services.AddScoped<Pages.Admin.AuditTrail>();
        builder.AddDonorRecords();
        services.Configure<SecurityStampValidatorOptions>(stamp =>
        {
            stamp.ValidationInterval = SessionCheckInterval;
            stamp.OnRefreshingPrincipal = Pages.Account.AccountFlow.KeepAuthenticationMethodsAsync;
        });
        services.AddScoped<Invitations>();
        services.AddScoped<PasswordResets>();
        services.AddScoped<SendPasswordResetJob>();
        services.Configure<DataProtectionTokenProviderOptions>(tokens => tokens.TokenLifespan = PasswordResets.LinkLifetime);
        services.AddScoped<Pages.Admin.People.PeopleAdministration>();
        services.AddProblemDetails();
        services.AddPublicPageCaching();
        builder.AddStripe();
        builder.AddDonationCheckout();
        builder.AddJobs();
        builder.AddPdf();
        builder.AddCharts();
        builder.AddDemoData();
        builder.AddEmail();
        builder.AddReceipts();
        builder.AddMessages();
        builder.AddRemittances();
    }

    public static bool IsModerationPage(string viewEnginePath) =>
        ModerationFolders.Any(folder => viewEnginePath.StartsWith(folder, StringComparison.Ordinal));

    public static void UseSolidarity(this WebApplication app)
    {
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
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UsePublicPageCaching();
        app.MapSolidarityHealth();
        app.MapRazorPages();
        app.MapStripeWebhook();
        app.MapReceipts();
        app.MapJobsDashboard();
        app.MapFeeds();
        app.MapOpenBooks();
        app.MapCharts();
    }
}
