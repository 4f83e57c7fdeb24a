using Microsoft.AspNetCore.Authentication.Cookies;

namespace Solidarity.Web.Pages.Account;

/// <summary>
/// Accounts: Identity and its stores, the once-only authenticator codes, passkeys, sign-in throttling, the sign-in
/// cookie and its session limits, the authorisation policies, invitations, password resets and the people page.
/// </summary>
internal static class AccountsHosting
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

    public static void AddAccounts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddIdentity<ApplicationUser, IdentityRole<Guid>>(options =>
            {
                options.User.RequireUniqueEmail = true;

                // An account's user name is its email address, which may hold an apostrophe or a letter with an accent
                // (o'brien@…, josé@…): Identity's default list of letters would refuse the account the invitation made.
                options.User.AllowedUserNameCharacters = "";
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
            .AddSignInManager<SolidaritySignInManager>()
            .AddUserStore<SolidarityUserStore>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<OnceOnlyAuthenticatorTokenProvider>(OnceOnlyAuthenticatorTokenProvider.Name);
        services.AddScoped<SignInThrottle>();
        builder.AddPasskeys();
        services.AddSingleton<SecondFactorSecrets>();

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

        services.Configure<SecurityStampValidatorOptions>(stamp =>
        {
            stamp.ValidationInterval = SessionCheckInterval;
            stamp.OnRefreshingPrincipal = AccountFlow.KeepAuthenticationMethodsAsync;
        });
        services.AddScoped<Invitations>();
        services.AddScoped<PasswordResets>();
        services.AddScoped<SendPasswordResetJob>();
        services.Configure<DataProtectionTokenProviderOptions>(tokens => tokens.TokenLifespan = PasswordResets.LinkLifetime);
        services.AddScoped<Admin.People.PeopleAdministration>();
    }

    public static bool IsModerationPage(string viewEnginePath) =>
        ModerationFolders.Any(folder => viewEnginePath.StartsWith(folder, StringComparison.Ordinal));
}
