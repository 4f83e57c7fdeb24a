using System.Net;
using AngleSharp.Html.Parser;
using Solidarity.Tests.Infrastructure;

namespace Solidarity.Tests.PublicPages;

public sealed class ErrorPageTests(PublicSiteFixture fixture) : PublicSiteTest(fixture)
{
    [Fact]
    public async Task Fault_answers_500_with_a_plain_page_that_shows_no_internals()
    {
        using var client = App.Browser();

        var response = await client.GetAsync(new Uri(PublicSiteApp.ThrowingPath, UriKind.Relative));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var page = await new HtmlParser().ParseDocumentAsync(html);
        Assert.Equal("Something went wrong", Text(page.QuerySelector("h1")));
        Assert.DoesNotContain("hunter2", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret internals", html, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", html, StringComparison.Ordinal);
        Assert.DoesNotContain("ThrowingEndpoint", html, StringComparison.Ordinal);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fault_in_a_post_still_gets_the_500_page()
    {
        using var client = App.Browser();

        var response = await client.PostAsync(new Uri(PublicSiteApp.ThrowingPath, UriKind.Relative), new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var page = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal("Something went wrong", Text(page.QuerySelector("h1")));
    }

    [Fact]
    public async Task Unknown_address_answers_404_that_is_never_cached()
    {
        var (response, page) = await GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Page not found", Text(page.QuerySelector("h1")));
        Assert.Contains(page.QuerySelectorAll("main a"), a => a.GetAttribute("href") == "/");
        Assert.True(response.Headers.CacheControl?.NoStore, "Error pages must not be cached.");
    }

    /// <summary>Each says what to do next: a form to send again, an account to sign in with, a wait, someone to tell.</summary>
    [Theory]
    [InlineData("/error/400", "reload the page, and send it again")]
    [InlineData("/error/403", "sign in with the account that has it")]
    [InlineData("/error/429", "Wait a minute, then try again.")]
    [InlineData("/error", "tell Solidarity, who run this site, and quote reference")]
    public async Task Error_pages_say_what_to_do_next(string path, string advice)
    {
        var (_, page) = await GetAsync(path);

        Assert.Contains(advice, page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/error/400", HttpStatusCode.BadRequest, "Bad request")]
    [InlineData("/error/404", HttpStatusCode.NotFound, "Page not found")]
    [InlineData("/error", HttpStatusCode.InternalServerError, "Something went wrong")]
    [InlineData("/error/200", HttpStatusCode.NotFound, "Page not found")]
    public async Task Error_pages_answer_with_their_own_status(string path, HttpStatusCode status, string heading)
    {
        var (response, page) = await GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(heading, Text(page.QuerySelector("h1")));
    }
}
