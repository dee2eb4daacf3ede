using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Tests.Support;

namespace Tracker.Web.IntegrationTests.Support;

/// <summary>
/// The whole app on the test server, with <paramref name="settings"/> layered over its configuration and
/// <paramref name="services"/> (if any) over its services. It makes its admin from <see cref="TestAuth.AdminToken"/>
/// (unless the settings name another bootstrap token), and every client it hands out sends that token;
/// <see cref="CreateAnonymousClient"/> sends nothing.
/// </summary>
public sealed class TrackerAppFactory(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(configuration => configuration
            .AddInMemoryCollection(new Dictionary<string, string?> { [TestAuth.SettingKey] = TestAuth.AdminToken })
            .AddInMemoryCollection(settings));
        if (services is not null) builder.ConfigureTestServices(services);
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        TestAuth.Authorize(client);
    }

    /// <summary>A WebSocket client of <paramref name="server"/> that sends the admin's token, as a script would.</summary>
    public static Microsoft.AspNetCore.TestHost.WebSocketClient AuthorizedWebSocketClient(Microsoft.AspNetCore.TestHost.TestServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var client = server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers.Authorization = $"Bearer {TestAuth.AdminToken}";
        return client;
    }

    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }
}
