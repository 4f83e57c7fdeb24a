using Solidarity.Web.Infrastructure.Html;

namespace Solidarity.Web.Pages.Admin.Updates;

internal static class UpdatesHosting
{
    /// <summary>A dispute's updates: their Markdown, made safe for its page and its feed, and the job that publishes those scheduled.</summary>
    public static void AddDisputeUpdates(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SafeMarkdown>();
        builder.Services.AddScoped<PublishScheduledUpdatesJob>();
    }
}
