using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Tracker.Tests.Support;
using Tracker.Web.Data;

namespace Tracker.E2E.Support;

/// <summary>One running app and one browser, shared by the tests of the collection; each test opens its own page.</summary>
public sealed class AppInChromium : IAsyncLifetime
{
    public const string Collection = "App in Chromium";

    // Development, because only then does the app serve static web assets (MudBlazor's, Plotly's, blazor.web.js)
    // from where the build left them; a published app serves them from its wwwroot instead.
    public static readonly (string Name, string Value)[] Environment = [("ASPNETCORE_ENVIRONMENT", "Development")];

    // Each fixture gets an empty database and runs folder of its own, removed at the end, so runs left by an
    // earlier test run never show up in a page the tests read.
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("tracker-e2e-").FullName;

    public static readonly string[] LoopbackOnFreePort = ["--urls", "http://127.0.0.1:0"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private RunningApp? _app;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Not started.");

    public RunningApp App => _app ?? throw new InvalidOperationException("Not started.");

    /// <summary>The app's own SQLite database, for tests that seed finished runs directly instead of training them.</summary>
    public TrackerDbContext CreateDbContext() => new SqliteTrackerDbContext(
        new DbContextOptionsBuilder<SqliteTrackerDbContext>().UseSqlite($"Data Source={Path.Combine(_dataDirectory, "tracker.db")}").Options);

    public async Task InitializeAsync()
    {
        // A circuit takes a few seconds to start on a busy two-core machine; Playwright's default is 5 s.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await DebianChromium.LaunchAsync(_playwright);
        _app = await RunningApp.StartAsync(LoopbackOnFreePort,
        [
            .. Environment,
            ("Database__SqlitePath", Path.Combine(_dataDirectory, "tracker.db")),
            ("Jobs__RunsDirectory", Path.Combine(_dataDirectory, "runs")),
        ]);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

[CollectionDefinition(AppInChromium.Collection)]
public sealed class AppInChromiumCollection : ICollectionFixture<AppInChromium>;
