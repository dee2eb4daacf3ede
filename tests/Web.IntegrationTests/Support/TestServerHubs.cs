using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.TestHost;

namespace Tracker.Web.IntegrationTests.Support;

public static class TestServerHubs
{
    /// <summary>Points a SignalR client at a test server: WebSockets through the server's own client, no network.</summary>
    public static Action<HttpConnectionOptions> HubTransport(this TestServer server) => options =>
    {
        options.Transports = HttpTransportType.WebSockets;
        options.SkipNegotiation = true;
        options.WebSocketFactory = async (context, cancellation) => await TrackerAppFactory.AuthorizedWebSocketClient(server).ConnectAsync(context.Uri, cancellation);
    };
}
