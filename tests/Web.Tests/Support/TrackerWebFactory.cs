using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
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
    private readonly bool _bootstrapAdmin;
    private readonly Dictionary<string, string> _settings;

    public TrackerWebFactory() : this(bootstrapAdmin: true, settings: null)
    {
    }

    private TrackerWebFactory(bool bootstrapAdmin, Dictionary<string, string>? settings)
    {
        _bootstrapAdmin = bootstrapAdmin;
        _settings = settings ?? [];
    }

    /// <param name="bootstrapAdmin">False: the app starts without users (the /setup case).</param>
    /// <param name="settings">More settings, layered over the test defaults.</param>
    public static TrackerWebFactory With(bool bootstrapAdmin, Dictionary<string, string>? settings = null) => new(bootstrapAdmin, settings);

    /// <summary>The client address the app sees (the test server has none of its own); set before the first request.</summary>
    public System.Net.IPAddress? ClientAddress { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:SqlitePath", Path.Combine(_folder, "tracker.db"))
            .UseSetting("Jobs:RunsDirectory", Path.Combine(_folder, "runs"))
            .UseSetting(TestAuth.SettingKey, _bootstrapAdmin ? TestAuth.AdminToken : "");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(new ClientAddressFilter(this)));
    }

    private sealed class ClientAddressFilter(TrackerWebFactory factory) : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use(async (Microsoft.AspNetCore.Http.HttpContext context, Func<Task> nextMiddleware) =>
            {
                if (factory.ClientAddress is { } address) context.Connection.RemoteIpAddress = address;
                await nextMiddleware();
            });
            next(app);
        };
    }

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
