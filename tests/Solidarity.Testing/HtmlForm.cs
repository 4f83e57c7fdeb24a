using System.Net.Http.Headers;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Solidarity.Testing;

/// <summary>
/// Reads a page's HTML with AngleSharp and submits one of its forms as a browser would: every field the form
/// renders (the antiforgery token included) goes back, with the values a test sets.
/// </summary>
public sealed class HtmlForm
{
    private readonly HttpClient _client;
    private readonly IHtmlFormElement _form;

    private HtmlForm(HttpClient client, IHtmlFormElement form)
    {
        _client = client;
        _form = form;
    }

    public IHtmlFormElement Element => _form;

    public static async Task<IDocument> ParseAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        var context = BrowsingContext.New(Configuration.Default);
        return await context.OpenAsync(request => request.Content(html).Address(response.RequestMessage!.RequestUri!));
    }

    /// <summary>GETs <paramref name="url"/> and takes its form matching <paramref name="selector"/> (the page's main form when null).</summary>
    public static async Task<HtmlForm> GetAsync(HttpClient client, string url, string? selector = null)
    {
        using var response = await client.GetAsync(url);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode} {response.Headers.Location}");
        }

        return From(client, await ParseAsync(response), selector);
    }

    public static HtmlForm From(HttpClient client, IDocument document, string? selector = null)
    {
        // Without a selector, the form with the most fields: the page's own form rather than, say, the sign-out button.
        var form = (selector is null
                ? document.QuerySelectorAll("main form").OfType<IHtmlFormElement>().OrderByDescending(f => f.Elements.Length).FirstOrDefault()
                : document.QuerySelector(selector) as IHtmlFormElement)
            ?? throw new InvalidOperationException($"No form '{selector ?? "main form"}' on {document.Url}");
        return new HtmlForm(client, form);
    }

    public bool Has(string name) => _form.Elements.Any(e => e.GetAttribute("name") == name);

    public string? Value(string name) => Field(name) switch
    {
        IHtmlInputElement input => input.Value,
        IHtmlTextAreaElement area => area.Value,
        IHtmlSelectElement select => select.Value,
        _ => null,
    };

    /// <summary>Sets a text field, a text area or a select (by option value); "true"/"false" tick or clear a checkbox.</summary>
    public HtmlForm Set(string name, string? value)
    {
        switch (Field(name))
        {
            case IHtmlInputElement { Type: "checkbox" } box:
                box.IsChecked = value == "true";
                break;
            case IHtmlInputElement input:
                input.Value = value ?? "";
                break;
            case IHtmlTextAreaElement area:
                area.Value = value ?? "";
                break;
            case IHtmlSelectElement select:
                var option = select.Options.FirstOrDefault(o => o.Value == (value ?? ""))
                    ?? throw new InvalidOperationException($"Select '{name}' has no option '{value}'.");
                select.Value = option.Value;
                break;
            default:
                throw new InvalidOperationException($"The form has no field '{name}'.");
        }

        return this;
    }

    public HtmlForm Set(IEnumerable<KeyValuePair<string, string?>> values)
    {
        foreach (var (name, value) in values)
        {
            Set(name, value);
        }

        return this;
    }

    /// <summary>Sends the form as multipart/form-data, as a form with a file field would, rather than URL-encoded.</summary>
    public HtmlForm AsMultipart()
    {
        _form.SetAttribute("enctype", "multipart/form-data");
        return this;
    }

    public async Task<HttpResponseMessage> SubmitAsync(string? submitterSelector = null)
    {
        var submitter = submitterSelector is null ? null : _form.QuerySelector(submitterSelector) as IHtmlElement;
        var submission = _form.GetSubmission(submitter!) ?? throw new InvalidOperationException("The form cannot be submitted.");
        using var body = new MemoryStream();
        await submission.Body.CopyToAsync(body);
        var request = new HttpRequestMessage(new HttpMethod(submission.Method.ToString().ToUpperInvariant()), submission.Target.Href)
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(submission.MimeType ?? "application/x-www-form-urlencoded");
        return await _client.SendAsync(request);
    }

    private IElement? Field(string name)
    {
        // A checkbox comes with a hidden "false" of the same name; the visible field is the one to set.
        var named = _form.Elements.Where(e => e.GetAttribute("name") == name).ToList();
        return named.FirstOrDefault(e => e is not IHtmlInputElement { Type: "hidden" }) ?? named.FirstOrDefault();
    }
}
