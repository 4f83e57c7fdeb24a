namespace Solidarity.Web.Pages.Receipts;

internal static class ReceiptsHosting
{
    public static void AddReceipts(this WebApplicationBuilder builder)
    {
        Organisation.RequireInProduction(builder);
        var configuration = builder.Configuration;
        builder.Services.Configure<ReceiptSettings>(settings =>
        {
            configuration.GetSection(ReceiptSettings.Section).Bind(settings);
            settings.OrganisationName = configuration[Organisation.NameSetting] ?? settings.OrganisationName;
            settings.OrganisationAddress = configuration[Organisation.AddressSetting] ?? settings.OrganisationAddress;
        });
        builder.Services.AddScoped<ReceiptScheduler>();
        builder.Services.AddScoped<ReceiptNumbers>();
        builder.Services.AddScoped<ReceiptFactsQuery>();
        builder.Services.AddScoped<CreditNoteQuery>();
        builder.Services.AddSingleton<ReceiptDocument>();
        builder.Services.AddSingleton<DonorBrowser>();
        builder.Services.AddScoped<IssueReceiptJob>();
        builder.Services.AddScoped<IssueReceiptsJob>();
        builder.Services.AddScoped<IssueCreditNoteJob>();
        builder.Services.AddSingleton<DocumentEmails>();
        builder.Services.AddScoped<SendReceiptEmailJob>();
        builder.Services.AddScoped<IssueMissingReceiptsJob>();
        builder.Services.AddScoped<YearStatements>();
        builder.Services.AddScoped<YearStatementQuery>();
        builder.Services.AddSingleton<YearStatementDocument>();
        builder.Services.AddScoped<SendYearStatementJob>();
        builder.Services.AddScoped<SendYearStatementsJob>();
    }
}
