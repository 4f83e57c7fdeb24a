namespace Solidarity.Web.Pages.Admin.Donors;

internal static class DonorsHosting
{
    /// <summary>A donor's data: the export, the erasure, and the keyed name the audit log gives them.</summary>
    public static void AddDonorRecords(this WebApplicationBuilder builder)
    {
        ProductionSettings.RequireSecret(
            builder, DonorAuditKey.Secret, "Keep it for good: with a new key, earlier erasures are no longer recognised.");

        var services = builder.Services;
        services.AddSingleton<DonorAuditKey>();
        services.AddScoped<DonorRecords>();
        services.AddScoped<DonorErasure>();
        services.AddScoped<ErasureBeyondTheRecords>();
        services.Configure<RetentionSettings>(builder.Configuration.GetSection(RetentionSettings.Section));
        services.AddScoped<ClearExpiredPersonalDataJob>();
    }
}
