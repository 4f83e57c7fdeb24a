namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// The organisation that runs the site and receives the gifts on the branches' behalf: named, with its postal address,
/// on every receipt, credit note and statement, and in its emails. A Production site refuses to start without either,
/// rather than print a placeholder on a donor's receipt.
/// </summary>
internal static class Organisation
{
    public const string NameSetting = "Organisation:Name";
    public const string AddressSetting = "Organisation:Address";

    /// <summary>The name where none is set (a development or test site).</summary>
    public const string DefaultName = "Solidarity";

    /// <summary>The organisation's name as set, or <see cref="DefaultName"/> where none is.</summary>
    public static string NameIn(IConfiguration configuration) =>
        configuration[NameSetting] is { Length: > 0 } name ? name : DefaultName;

    public static void RequireInProduction(WebApplicationBuilder builder)
    {
        if (!ProductionSettings.Enforced(builder.Environment))
        {
            return;
        }

        foreach (var (setting, what) in new[] { (NameSetting, "its name"), (AddressSetting, "its postal address") })
        {
            if (string.IsNullOrWhiteSpace(builder.Configuration[setting]))
            {
                throw new InvalidOperationException(
                    $"{setting} is not set: every receipt and statement gives the organisation that received the gift, and {what}. " +
                    $"Set {ProductionSettings.EnvironmentVariable(setting)}.");
            }
        }
    }
}
