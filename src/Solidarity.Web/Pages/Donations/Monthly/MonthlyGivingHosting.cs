using Solidarity.Web.Pages.Donations.Checkout;

namespace Solidarity.Web.Pages.Donations.Monthly;

internal static class MonthlyGivingHosting
{
    /// <summary>Monthly gifts: their Stripe subscriptions, the giver's links, and the jobs that end them with their dispute.</summary>
    public static void AddMonthlyGiving(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddStripeOrTestCheckout<ISubscriptionGateway, StripeSubscriptionGateway, TestCheckoutSubscriptionGateway>();
        services.AddScoped<MonthlyGiftLinks>();
        services.AddScoped<MonthlyGiftCancellation>();
        services.AddScoped<MonthlyGiftMove>();
        services.AddScoped<MonthlyGiftScheduler>();
        services.AddScoped<MonthlyNoticeServices>();
        services.AddScoped<PauseMonthlyGiftsJob>();
        services.AddScoped<PauseMonthlyGiftJob>();
        services.AddScoped<ResumeMonthlyGiftsJob>();
        services.AddScoped<ResumeMonthlyGiftJob>();
        services.AddScoped<MonthlyNoticeEmails>();
        services.AddScoped<EndUnmovedMonthlyGiftsJob>();
    }
}
