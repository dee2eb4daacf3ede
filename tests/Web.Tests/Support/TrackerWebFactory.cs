using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace Tracker.Web.Tests.Support;

/// <summary>
/// The app on the test server with a SQLite file of its own in a temporary folder, deleted afterwards: the default
/// path is under the content root, which for the test server is src/Web, and tests must not write there.
/// </summary>
public sealed class TrackerWebFactory : WebApplicationFactory<Program>
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tracker-web-tests-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.UseSetting("Database:SqlitePath", Path.Combine(_folder, "tracker.db"))
            .UseSetting("Jobs:RunsDirectory", Path.Combine(_folder, "runs"));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
