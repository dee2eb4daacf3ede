using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Tracker.Tests.Support;

namespace Tracker.Web.Tests.Support;

/// <summary>
/// The app on the test server with a SQLite file of its own in a temporary folder, deleted afterwards: the default
/// path is under the content root, which for the test server is src/Web, and tests must not write there.
/// The app makes its admin from <see cref="TestAuth.AdminToken"/>, and every client it hands out sends that token;
/// <see cref="CreateAnonymousClient"/> sends nothing.
/// </summary>
public sealed class TrackerWebFactory : WebApplicationFactory<Program>
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tracker-web-tests-").FullName;

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.UseSetting("Database:SqlitePath", Path.Combine(_folder, "tracker.db"))
            .UseSetting("Jobs:RunsDirectory", Path.Combine(_folder, "runs"))
            .UseSetting(TestAuth.SettingKey, TestAuth.AdminToken);

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        TestAuth.Authorize(client);
    }

    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    /// <summary>A WebSocket client of the test server that sends the admin's token, as a script would.</summary>
    public Microsoft.AspNetCore.TestHost.WebSocketClient CreateAuthorizedWebSocketClient()
    {
        var client = Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers.Authorization = $"Bearer {TestAuth.AdminToken}";
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
