using System.Diagnostics;
using System.Text.Json;

namespace Solidarity.Tests.Hosting;

/// <summary>What `dotnet publish` (Release, and so the container image) carries, read from MSBuild's own evaluation of the project.</summary>
public sealed class PublishedOutputTests
{
    [Fact]
    public async Task Development_settings_are_never_published()
    {
        using var items = await ItemsAsync("Content", "Release");
        var content = items.RootElement.GetProperty("Items").GetProperty("Content").EnumerateArray().ToList();
        string Publish(string file) => content.Single(c => c.GetProperty("Identity").GetString() == file).GetProperty("CopyToPublishDirectory").GetString() ?? "";
        Assert.Equal("Never", Publish("appsettings.Development.json"));
        Assert.NotEqual("Never", Publish("appsettings.json"));
    }

    [Fact]
    public async Task The_database_dotnet_run_starts_for_itself_is_only_in_a_debug_build_never_in_a_published_site()
    {
        static async Task<List<string>> ReferencesAsync(string configuration)
        {
            using var items = await ItemsAsync("ProjectReference,PackageReference", configuration);
            var found = items.RootElement.GetProperty("Items");
            return found.GetProperty("ProjectReference").EnumerateArray()
                .Concat(found.GetProperty("PackageReference").EnumerateArray())
                .Select(i => Path.GetFileNameWithoutExtension(i.GetProperty("Identity").GetString()!.Replace('\\', '/')))
                .ToList();
        }

        var debug = await ReferencesAsync("Debug");
        var release = await ReferencesAsync("Release");

        Assert.Contains("Solidarity.DevelopmentDatabase", debug);
        Assert.DoesNotContain("Solidarity.DevelopmentDatabase", release);
        Assert.DoesNotContain(release, r => r.StartsWith("Testcontainers", StringComparison.Ordinal));
    }

    private static async Task<JsonDocument> ItemsAsync(string items, string configuration)
    {
        var project = Path.Combine(RepositoryRoot(), "src", "Solidarity.Web", "Solidarity.Web.csproj");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "msbuild", project, $"-getItem:{items}", $"-p:Configuration={configuration}", "-nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, output);
        return JsonDocument.Parse(output);
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
