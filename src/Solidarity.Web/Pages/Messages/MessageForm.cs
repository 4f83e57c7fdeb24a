namespace Solidarity.Web.Pages.Messages;

/// <summary>The message form as a partial, on the message page only: the cached dispute page links to it rather than carry a token.</summary>
internal sealed record MessageForm(string Slug, MessageInput Input);
