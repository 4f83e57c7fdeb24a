using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;
using Solidarity.Core.Accounts;

namespace Solidarity.Testing;

/// <summary>An account made for a test, with what it takes to sign in as it.</summary>
public sealed record TestAccount(Guid Id, string Email, string Password, string? AuthenticatorKey)
{
    /// <summary>The code an authenticator app would show now.</summary>
    public string CurrentCode() => SignIn.Code(AuthenticatorKey ?? throw new InvalidOperationException($"{Email} has no authenticator."));
}

/// <summary>
/// Accounts and signed-in clients for tests: the sign-in goes through the real pages, as a browser's would.
/// <see cref="AsAdminAsync"/> is how a test that needs an admin gets one; tests about the sign-in itself drive its
/// steps with <see cref="WithPasswordAsync"/> and <see cref="WithCodeAsync"/>. <see cref="AdminSite"/> forges only the
/// sessions no sign-in gives (an admin without a second factor, or known by another scheme), to test that they are refused
/// or never cached.
/// </summary>
public static class SignIn
{
    public const string DefaultPassword = "Correct horse battery staple 42";

    /// <summary>A client that keeps cookies and shows every redirect to the test instead of following it.</summary>
    public static HttpClient NewClient(WebApplicationFactory<Program> app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public static string Code(string authenticatorKey) => new Totp(Base32Encoding.ToBytes(authenticatorKey)).ComputeTotp();

    public static async Task<TestAccount> CreateAccountAsync(
        WebApplicationFactory<Program> app, string email, string? role = null, bool withAuthenticator = false, Guid? branchId = null,
        string password = DefaultPassword)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<Guid>>>();
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, BranchId = branchId };
        Succeeded(await users.CreateAsync(user, password));
        if (role is not null)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Succeeded(await roles.CreateAsync(new IdentityRole<Guid>(role)));
            }

            Succeeded(await users.AddToRoleAsync(user, role));
        }

        string? key = null;
        if (withAuthenticator)
        {
            Succeeded(await users.ResetAuthenticatorKeyAsync(user));
            key = await users.GetAuthenticatorKeyAsync(user);
            Succeeded(await users.SetTwoFactorEnabledAsync(user, true));
        }

        return new TestAccount(user.Id, email, password, key);
    }

    /// <summary>Posts the sign-in form; answers the response (a redirect when the password was right).</summary>
    public static async Task<HttpResponseMessage> WithPasswordAsync(HttpClient client, string email, string password, string? returnUrl = null)
    {
        var url = returnUrl is null ? "/account/sign-in" : $"/account/sign-in?ReturnUrl={Uri.EscapeDataString(returnUrl)}";
        var form = await HtmlForm.GetAsync(client, url);
        return await form.Set("Input.Email", email).Set("Input.Password", password).SubmitAsync();
    }

    /// <summary>Posts the code to the two-factor page the password step led to.</summary>
    public static async Task<HttpResponseMessage> WithCodeAsync(HttpClient client, string twoFactorUrl, string code)
    {
        var form = await HtmlForm.GetAsync(client, twoFactorUrl);
        return await form.Set("Input.Code", code).SubmitAsync();
    }

    /// <summary>Signs <paramref name="account"/> in with password and code; the client ends on a session with a second factor.</summary>
    public static async Task<HttpClient> WithTwoFactorAsync(WebApplicationFactory<Program> app, TestAccount account)
    {
        var client = NewClient(app);
        using var password = await WithPasswordAsync(client, account.Email, account.Password);
        Expect(password, HttpStatusCode.Redirect);
        var twoFactorUrl = password.Headers.Location!.OriginalString;
        if (!twoFactorUrl.StartsWith("/account/sign-in/two-factor", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The password step led to {twoFactorUrl}, not the two-factor page.");
        }

        using var code = await WithCodeAsync(client, twoFactorUrl, account.CurrentCode());
        Expect(code, HttpStatusCode.Redirect);
        return client;
    }

    /// <summary>A new admin with an authenticator, signed in with both factors: the client can use /admin.</summary>
    public static async Task<(HttpClient Client, TestAccount Admin)> AsAdminAsync(WebApplicationFactory<Program> app, string email = "admin@example.org")
    {
        var admin = await CreateAccountAsync(app, email, Roles.Admin, withAuthenticator: true);
        return (await WithTwoFactorAsync(app, admin), admin);
    }

    private static void Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"Expected {status} from {response.RequestMessage?.RequestUri}, got {response.StatusCode}.");
        }
    }

    private static void Succeeded(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
