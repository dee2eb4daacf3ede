namespace Tracker.Web.Tests.Support;

/// <summary>Finds the checkout the tests were built from, so tests can read its project files.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Tracker.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No Tracker.sln above {AppContext.BaseDirectory}.");
    }

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);
}
