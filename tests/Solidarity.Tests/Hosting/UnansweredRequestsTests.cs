using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Solidarity.Testing;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.Hosting;

/// <summary>
/// Requests a page has no answer for: a method it has no handler for, a form handler it does not have, and a field
/// holding a null character. Each is refused with a status, never rendered with nothing loaded (a 500).
/// </summary>
public sealed class UnansweredRequestsTests(SiteFixture fixture) : SiteTest(fixture)
{
    [Theory]
    [InlineData("TRACE", "/disputes/no-such-dispute", HttpStatusCode.MethodNotAllowed)]
    [InlineData("OPTIONS", "/disputes/no-such-dispute", HttpStatusCode.NoContent)]
    [InlineData("OPTIONS", "/account/sign-in", HttpStatusCode.NoContent)]
    public async Task A_method_the_page_has_no_handler_for_is_answered_with_the_methods_it_takes(string method, string path, HttpStatusCode expected)
    {
        using var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(expected, response.StatusCode);
        string[] methods = path == "/account/sign-in" ? ["GET", "HEAD", "POST"] : ["GET", "HEAD"];
        Assert.Equal(methods, response.Content.Headers.Allow.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Razor Pages takes any public method named On{Method}... as a handler, a page filter's override too
    /// (OnPageHandlerExecuting: the method "PAGE"), unless it is marked [NonHandler].
    /// </summary>
    [Fact]
    public async Task Every_handler_of_every_page_answers_GET_or_POST()
    {
        var loader = App.Services.GetRequiredService<PageLoader>();
        var pages = App.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items.OfType<PageActionDescriptor>();

        var others = new List<string>();
        foreach (var page in pages)
        {
            var compiled = await loader.LoadAsync(page, EndpointMetadataCollection.Empty);
            others.AddRange(compiled.HandlerMethods
                .Where(h => !h.HttpMethod.Equals("GET", StringComparison.OrdinalIgnoreCase) && !h.HttpMethod.Equals("POST", StringComparison.OrdinalIgnoreCase))
                .Select(h => $"{page.ViewEnginePath}: {h.MethodInfo.Name}"));
        }

        Assert.NotEmpty(pages);
        Assert.Empty(others);
    }

    [Fact]
    public async Task A_form_sent_by_another_method_without_its_token_is_refused_as_a_bad_request()
    {
        using var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.PutAsync(new Uri("/", UriKind.Relative), new FormUrlEncodedContent([new("a", "b")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_form_posted_with_its_token_to_a_page_without_forms_is_answered_405()
    {
        using var client = SignIn.NewClient(App);

        using var response = await client.PostFormAsync("/", [new("anything", "at all")], tokenFrom: "/account/sign-in");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("Not allowed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_posted_to_a_handler_the_page_does_not_have_is_answered_400()
    {
        // The people page's forms all have names (invite, resend, disable...): a made-up one matches none of them.
        var (client, _) = await SignIn.AsAdminAsync(App);
        using var _ = client;

        using var response = await client.PostFormAsync("/admin/people", [new("id", Guid.NewGuid().ToString())], handler: "MadeUp");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("could not understand", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/account/sign-in")]
    [InlineData("/account/forgot-password")]
    public async Task An_email_with_a_null_character_is_refused_as_a_bad_request_before_any_lookup(string path)
    {
        using var client = SignIn.NewClient(App);
        var form = await HtmlForm.GetAsync(client, path);
        form.Set("Input.Email", "jo\0@example.org");
        if (form.Has("Input.Password"))
        {
            form.Set("Input.Password", SignIn.DefaultPassword);
        }

        using var response = await form.SubmitAsync();

        // The form reader refuses it before the page runs: no query is sent with it, and the answer is the bad request page.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("could not understand", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
