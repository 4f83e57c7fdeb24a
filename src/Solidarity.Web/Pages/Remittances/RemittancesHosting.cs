namespace Solidarity.Web.Pages.Remittances;

internal static class RemittancesHosting
{
    public static void AddRemittances(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<RemittanceSettings>(builder.Configuration.GetSection(RemittanceSettings.Section));
        builder.Services.AddScoped<StatementQueries>();
        builder.Services.AddScoped<StatementBuilder>();
        builder.Services.AddScoped<StatementFiles>();
        builder.Services.AddScoped<RemittancePayments>();
        builder.Services.AddScoped<BranchOfficers>();
        builder.Services.AddScoped<MessageBooklet>();
        builder.Services.AddScoped<BuildStatementsJob>();
    }
}
