namespace Solidarity.Web.Infrastructure.Email;

internal static class EmailHosting
{
    /// <summary>
    /// SMTP through MailKit when Smtp:Host is set; otherwise .eml files in Smtp:PickupDirectory, which in
    /// Development defaults to the repository's git-ignored .local/mail. Production needs a mail server.
    /// </summary>
    public static void AddEmail(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SmtpSettings.Section);
        var production = ProductionSettings.Enforced(builder.Environment);
        builder.Services.Configure<SmtpSettings>(smtp =>
        {
            section.Bind(smtp);
            smtp.RequireEncryption = production;
        });
        var settings = section.Get<SmtpSettings>() ?? new SmtpSettings();
        if (production && settings.Security == MailKit.Security.SecureSocketOptions.None)
        {
            throw new InvalidOperationException(
                "Smtp:Security is None: in Production e-mail (which carries donors' names and addresses) must be encrypted. Use Auto, StartTls or SslOnConnect.");
        }

        if (production && !string.IsNullOrWhiteSpace(settings.PickupDirectory))
        {
            // Each .eml file is a copy of a donor's name, address and receipt that no erasure reaches.
            throw new InvalidOperationException(
                "Smtp:PickupDirectory is set: in Production e-mail goes to a mail server, never to files on disk that an erasure cannot reach. "
                + "Remove Smtp__PickupDirectory and set Smtp__Host.");
        }

        if (production && string.IsNullOrWhiteSpace(section[nameof(SmtpSettings.From)]))
        {
            // The default names localhost, which mail servers refuse as a sender.
            throw new InvalidOperationException(
                "Smtp:From is not set: mail servers refuse a sender they do not know, so receipts and invitations would not arrive. "
                + "Set Smtp__From to an address at the organisation's own domain, e.g. \"Strike fund <receipts@example.org>\".");
        }

        builder.Services.AddScoped<EmailOnce>();
        if (!string.IsNullOrWhiteSpace(settings.Host))
        {
            builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
            return;
        }

        var pickup = settings.PickupDirectory;
        if (string.IsNullOrWhiteSpace(pickup) && builder.Environment.IsDevelopment())
        {
            pickup = LocalState.Folder(builder.Environment.ContentRootPath, "mail");
        }

        if (!string.IsNullOrWhiteSpace(pickup))
        {
            var directory = Path.GetFullPath(pickup);
            Console.WriteLine($"Email: no Smtp:Host set; messages are written as .eml files to {directory}");
            builder.Services.AddSingleton<IEmailSender>(services =>
                new PickupFolderEmailSender(directory, services.GetRequiredService<ILogger<PickupFolderEmailSender>>()));
            return;
        }

        if (production)
        {
            throw new InvalidOperationException(
                "Smtp:Host is not set: receipts could not be emailed. Set Smtp__Host, Smtp__Port, Smtp__User, Smtp__Password and Smtp__From.");
        }

        builder.Services.AddSingleton<IEmailSender, UnconfiguredEmailSender>();
    }
}
