using System.Net.WebSockets;
using System.Text;

namespace Tracker.Web.Tests.Support;

/// <summary>The SignalR JSON protocol by hand, as a client without a SignalR library speaks it: text records ending in 0x1E.</summary>
public static class HubRecords
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static Task SendAsync(WebSocket socket, string json)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return socket.SendAsync(Encoding.UTF8.GetBytes(json + '\u001e'), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
    }

    /// <summary>The next record that is not a ping (type 6).</summary>
    public static async Task<string> ReceiveAsync(WebSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        using var timeout = new CancellationTokenSource(Wait);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var text = new StringBuilder();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, timeout.Token);
                text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            } while (!result.EndOfMessage);
            foreach (var record in text.ToString().Split('\u001e', StringSplitOptions.RemoveEmptyEntries))
                if (!record.Contains("\"type\":6", StringComparison.Ordinal)) return record;
        }
    }
}
