namespace Solidarity.Web.Infrastructure.Throttling;

internal static class ThrottlingHosting
{
    /// <summary>Counters of attempts shared by every web process, for sign-in and the forms that could be flooded.</summary>
    public static void AddThrottling(this WebApplicationBuilder builder)
    {
        if (builder.Environment.IsProduction() && string.IsNullOrWhiteSpace(builder.Configuration[ThrottleSettings.KeySetting]))
        {
            // The development key is published in the source: with it, a client's hashed address could be recovered by trying addresses.
            throw new InvalidOperationException(
                $"{ThrottleSettings.KeySetting} is not set: set {ThrottleSettings.KeySetting.Replace(":", "__", StringComparison.Ordinal)} " +
                "to a long random secret (e.g. the output of `openssl rand -hex 32`).");
        }

        builder.Services.Configure<ThrottleSettings>(builder.Configuration.GetSection(ThrottleSettings.Section));
        builder.Services.AddScoped<Throttle>();
        builder.Services.AddScoped<PurgeThrottlesJob>();
    }
}
