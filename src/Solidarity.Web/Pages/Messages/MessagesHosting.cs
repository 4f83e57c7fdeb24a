using Solidarity.Web.Pages.Admin.Messages;

namespace Solidarity.Web.Pages.Messages;

internal static class MessagesHosting
{
    /// <summary>Messages of support: the form's limits, the approved messages a page shows, moderation, and the branches' digest.</summary>
    public static void AddMessages(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<MessageSettings>(builder.Configuration.GetSection(MessageSettings.Section));
        services.AddScoped<MessageRateLimiter>();
        services.AddScoped<ApprovedMessagesQuery>();
        services.AddScoped<MessageModeration>();
        services.AddScoped<SendBranchDigestsJob>();
    }
}
