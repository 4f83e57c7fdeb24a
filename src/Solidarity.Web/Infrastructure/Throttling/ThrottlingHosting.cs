namespace Solidarity.Web.Infrastructure.Throttling;

internal static class ThrottlingHosting
{
    /// <summary>Counters of attempts shared by every web process, for sign-in and the forms that could be flooded.</summary>
    public static void AddThrottling(this WebApplicationBuilder builder)
    {
        ProductionSettings.RequireSecret(builder, Throttle.Secret, "It keys the hashes that name clients in the throttles.");

        builder.Services.AddScoped<Throttle>();
        builder.Services.AddScoped<PurgeThrottlesJob>();
    }
}
