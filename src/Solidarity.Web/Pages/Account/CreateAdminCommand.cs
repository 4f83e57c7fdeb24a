namespace Solidarity.Web.Pages.Account;

/// <summary>
/// `create-admin --email ADDRESS [--name NAME]`: the way into a new site, and back into one whose admins have all lost
/// their phones. It makes (or makes anew, withdrawing the older) an admin invitation, prints its link and emails it;
/// whoever opens the link chooses the password and enrols the authenticator app. Running it needs the server's
/// settings, which already give full control of the database, so it asks for nothing more.
/// </summary>
internal sealed class CreateAdminCommand(Invitations invitations, SiteAddress site)
{
    public const string Name = "create-admin";
    public const string Usage = "Usage: create-admin --email ADDRESS [--name NAME]";

    public const int Succeeded = 0;
    public const int Refused = 1;
    public const int BadArguments = 2;

    public async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var email = Option(args, "--email")?.Trim();
        if (string.IsNullOrEmpty(email) || !new EmailAddressAttribute().IsValid(email) || email.Length > 256)
        {
            await error.WriteLineAsync(Usage);
            return BadArguments;
        }

        var result = await invitations.IssueAsync(new InvitationRequest(email, Roles.Admin, DisplayName: Option(args, "--name")), Actor.CommandLine, cancellationToken);
        if (result.Issued is not { } issued)
        {
            await error.WriteLineAsync(result.Refusal);
            return Refused;
        }

        var link = site.BaseUrl() + issued.Path;
        await output.WriteLineAsync($"Admin invitation for {issued.Email}. The link works once, until {LondonClock.DateTime(issued.ExpiresAt)} (London time):");
        await output.WriteLineAsync(link);
        var failure = await invitations.SendAsync(issued, link, cancellationToken);
        if (failure is null)
        {
            await output.WriteLineAsync($"The link has been emailed to {issued.Email}.");
        }
        else
        {
            await error.WriteLineAsync($"Warning: the invitation email could not be sent ({failure}). The link above works all the same: give it to {issued.Email} another way.");
        }

        return Succeeded;
    }

    /// <summary>"--email a@b.org" or "--email=a@b.org".</summary>
    private static string? Option(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == name && i + 1 < args.Count)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                return args[i][(name.Length + 1)..];
            }
        }

        return null;
    }
}
