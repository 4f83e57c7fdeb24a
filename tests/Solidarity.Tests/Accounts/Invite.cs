using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Testing;
using Solidarity.Web.Pages.Account;

namespace Solidarity.Tests.Accounts;

/// <summary>Invitations made through the site's own service, and accepted through the invitation page as a browser would.</summary>
internal static class Invite
{
    public const string NewPassword = "Second strike fund 2026";

    public static async Task<IssuedInvitation> IssueAsync(WebApplicationFactory<Program> app, string email, string role, Guid? branchId = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<Invitations>()
            .IssueAsync(new InvitationRequest(email, role, branchId), Actor.CommandLine, CancellationToken.None);
        return result.Issued ?? throw new InvalidOperationException(result.Refusal);
    }

    /// <summary>The key the invitation page shows, as an authenticator app would store it.</summary>
    public static async Task<string> KeyAsync(HttpClient client, string path)
    {
        using var page = await client.GetAsync(path);
        if (page.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)page.StatusCode}.");
        }

        var document = await HtmlForm.ParseAsync(page);
        return document.QuerySelector("[data-testid=shared-key]")!.TextContent.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
    }

    /// <summary>Fills the invitation form: the password twice and, where the page asks for one, the code.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string path, string password = NewPassword, string? code = null)
    {
        var form = await HtmlForm.GetAsync(client, path);
        form.Set("Input.Password", password).Set("Input.ConfirmPassword", password);
        if (code is not null)
        {
            form.Set("Input.Code", code);
        }

        return await form.SubmitAsync();
    }

    /// <summary>Accepts an admin's or moderator's invitation with the app's current code; answers the key the app holds.</summary>
    public static async Task<(HttpResponseMessage Response, string Key)> AcceptWithAppAsync(HttpClient client, string path, string password = NewPassword)
    {
        var key = await KeyAsync(client, path);
        return (await SubmitAsync(client, path, password, SignIn.Code(key)), key);
    }
}
