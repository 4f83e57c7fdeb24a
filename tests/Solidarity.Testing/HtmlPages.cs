using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Solidarity.Testing;

/// <summary>Pages read as HTML, and forms posted by hand with the antiforgery token a page gives, as a browser would post it back.</summary>
public static class HtmlPages
{
    public const string AntiforgeryField = "__RequestVerificationToken";

    public static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response) =>
        new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());

    /// <summary>GETs <paramref name="path"/> and parses it, failing unless it answered 200.</summary>
    public static async Task<IHtmlDocument> GetPageAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}.");
        }

        return await ParseAsync(response);
    }

    /// <summary>The antiforgery token of <paramref name="page"/>'s first form; <paramref name="where"/> names the page if it has none.</summary>
    public static string AntiforgeryToken(this IParentNode page, string where = "The page")
    {
        var token = page.QuerySelector($"input[name={AntiforgeryField}]")?.GetAttribute("value");
        return string.IsNullOrEmpty(token) ? throw new InvalidOperationException($"{where} has no antiforgery token.") : token;
    }

    /// <summary>GETs <paramref name="path"/>, whatever it answers, and takes the antiforgery token it gives this client.</summary>
    public static async Task<string> AntiforgeryTokenAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return (await ParseAsync(response)).AntiforgeryToken(path);
    }

    /// <summary>
    /// Posts <paramref name="fields"/> (and nothing else the form holds) to <paramref name="path"/>, or to its
    /// <paramref name="handler"/>, with the antiforgery token of the page at <paramref name="tokenFrom"/> (by default the same path).
    /// </summary>
    public static async Task<HttpResponseMessage> PostFormAsync(
        this HttpClient client, string path, IEnumerable<KeyValuePair<string, string>> fields, string? handler = null, string? tokenFrom = null)
    {
        var page = await client.GetPageAsync(tokenFrom ?? path);
        var token = page.AntiforgeryToken(tokenFrom ?? path);
        var url = handler is null ? path : $"{path}?handler={handler}";
        return await client.PostAsync(new Uri(url, UriKind.Relative), new FormUrlEncodedContent([.. fields, new(AntiforgeryField, token)]));
    }
}
