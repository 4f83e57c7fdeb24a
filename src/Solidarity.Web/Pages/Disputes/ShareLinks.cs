namespace Solidarity.Web.Pages.Disputes;

/// <summary>
/// Plain links that open each network's own share page with the dispute's address filled in: no script from any of
/// them is loaded, so nobody is tracked by visiting the page, and the links work without JavaScript.
/// </summary>
internal sealed record ShareLinks(string Url, string Title)
{
    private string Text => $"{Title}: support the strike fund";

    public string Email => $"mailto:?subject={Uri.EscapeDataString(Title)}&body={Uri.EscapeDataString($"{Text}\n{Url}")}";

    public string WhatsApp => $"https://wa.me/?text={Uri.EscapeDataString($"{Text} {Url}")}";

    public string Bluesky => $"https://bsky.app/intent/compose?text={Uri.EscapeDataString($"{Text} {Url}")}";

    public string X => $"https://x.com/intent/post?text={Uri.EscapeDataString(Text)}&url={Uri.EscapeDataString(Url)}";

    public string Facebook => $"https://www.facebook.com/sharer/sharer.php?u={Uri.EscapeDataString(Url)}";
}
