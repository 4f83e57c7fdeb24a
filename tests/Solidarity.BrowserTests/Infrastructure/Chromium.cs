using Microsoft.Playwright;

namespace Solidarity.BrowserTests.Infrastructure;

/// <summary>
/// Debian's Chromium, driven by Playwright. Playwright's own browser downloads are never used: the machines that run
/// these tests reach no download servers, and the distribution's browser is the one CI installs with apt-get.
/// </summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public const string MissingMessage =
        $"Chromium is not installed at {ExecutablePath} (apt-get install chromium): the browser tests are skipped.";

    public static bool IsInstalled => File.Exists(ExecutablePath);

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                // The tests run as root in CI, where Chromium's sandbox cannot start.
                "--no-sandbox",
                "--disable-gpu",
                // Containers often give /dev/shm 64 MB, too little for Chromium's renderer.
                "--disable-dev-shm-usage",
                // Nothing may leave the machine: no update checks, sync or component downloads.
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        });
}

/// <summary>A fact that is skipped, saying why, where Chromium is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!Chromium.IsInstalled)
        {
            Skip = Chromium.MissingMessage;
        }
    }
}

/// <summary>A theory that is skipped, saying why, where Chromium is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumTheoryAttribute : TheoryAttribute
{
    public ChromiumTheoryAttribute()
    {
        if (!Chromium.IsInstalled)
        {
            Skip = Chromium.MissingMessage;
        }
    }
}
