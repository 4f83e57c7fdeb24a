namespace Solidarity.Web.Infrastructure.Hosting;

/// <summary>
/// Where Development keeps its local state (the embedded database, e-mails written to files): the
/// git-ignored .local/ folder beside Solidarity.sln, so every project of a clone shares one.
/// </summary>
internal static class LocalState
{
    public static string Folder(string contentRoot, string name) => Path.Combine(RepositoryRoot(contentRoot), ".local", name);

    private static string RepositoryRoot(string contentRoot)
    {
        for (var directory = new DirectoryInfo(contentRoot); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Solidarity.sln")))
            {
                return directory.FullName;
            }
        }

        return contentRoot;
    }
}
