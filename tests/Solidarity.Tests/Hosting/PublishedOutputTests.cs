using System.Diagnostics;
using System.Text.Json;

namespace Solidarity.Tests.Hosting;

/// <summary>What `dotnet publish` (and so the container image) carries, read from MSBuild's own evaluation of the project.</summary>
public sealed class PublishedOutputTests
{
    [Fact]
    public async Task Development_settings_are_never_published()
    {
        var project = Path.Combine(RepositoryRoot(), "src", "Solidarity.Web", "Solidarity.Web.csproj");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "msbuild", project, "-getItem:Content", "-nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, output);
        using var items = JsonDocument.Parse(output);
        var content = items.RootElement.GetProperty("Items").GetProperty("Content").EnumerateArray().ToList();
        string Publish(string file) => content.Single(c => c.GetProperty("Identity").GetString() == file).GetProperty("CopyToPublishDirectory").GetString() ?? "";
        Assert.Equal("Never", Publish("appsettings.Development.json"));
        Assert.NotEqual("Never", Publish("appsettings.json"));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Solidarity.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (Solidarity.sln) was not found.");
    }
}
