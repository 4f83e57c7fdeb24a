namespace Solidarity.Web.Pages.Messages;

/// <summary>The message form as a partial: on its own page and under a dispute's messages.</summary>
/// <param name="IdPrefix">Keeps element ids unique where the form shares a page.</param>
/// <param name="ShowSummary">Only the form's own page shows the list of errors; the dispute page never has any.</param>
public sealed record MessageForm(string Slug, MessageInput Input, string IdPrefix, bool ShowSummary);
