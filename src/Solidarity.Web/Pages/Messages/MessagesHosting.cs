using Solidarity.Web.Infrastructure.Html;
using Solidarity.Web.Pages.Admin.Messages;
using Solidarity.Web.Pages.Admin.Updates;

namespace Solidarity.Web.Pages.Messages;

internal static class MessagesHosting
{
    /// <summary>Messages of support, their moderation and digest, dispute updates and the feeds.</summary>
    public static void AddMessages(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<MessageSettings>(builder.Configuration.GetSection(MessageSettings.Section));
        services.AddScoped<MessageRateLimiter>();
        services.AddSingleton<SafeMarkdown>();
        services.AddScoped<ApprovedMessagesQuery>();
        services.AddScoped<MessageModeration>();
        services.AddScoped<PublishScheduledUpdatesJob>();
        services.AddScoped<SendBranchDigestsJob>();
    }
}
