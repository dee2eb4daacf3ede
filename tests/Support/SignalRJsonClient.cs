using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Tracker.Tests.Support;

/// <summary>
/// A minimal SignalR client speaking the JSON hub protocol over an open WebSocket (records end
/// with 0x1E; type 1 invocation, 3 completion, 6 ping, 7 close). The registry copy we build from
/// has no Microsoft.AspNetCore.SignalR.Client, and a test client this small also shows exactly
/// what an external client of /hubs/runs sees on the wire.
/// </summary>
public sealed class SignalRJsonClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';

    private readonly WebSocket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<(string Target, JsonElement[] Arguments)> _invocations = Channel.CreateUnbounded<(string, JsonElement[])>();
    private readonly Dictionary<string, TaskCompletionSource<JsonElement>> _pending = [];
    private readonly Lock _gate = new();
    private int _nextId;
    private Task _receiving = Task.CompletedTask;

    private SignalRJsonClient(WebSocket socket) => _socket = socket;

    /// <summary>Performs the protocol handshake on a connected socket to a hub URL.</summary>
    public static async Task<SignalRJsonClient> ConnectAsync(WebSocket socket, CancellationToken cancellation = default)
    {
        var client = new SignalRJsonClient(socket);
        await client.SendAsync("""{"protocol":"json","version":1}""", cancellation);
        var handshake = await client.ReceiveRecordsAsync(cancellation);
        using var response = JsonDocument.Parse(handshake[0]);
        if (response.RootElement.TryGetProperty("error", out var error)) throw new InvalidOperationException($"Handshake refused: {error}");
        client._receiving = Task.Run(client.ReceiveLoopAsync);
        return client;
    }

    /// <summary>Calls a hub method and waits for its completion; a hub error becomes an exception carrying its message.</summary>
    public async Task<JsonElement> InvokeAsync(string target, params object[] arguments)
    {
        var id = Interlocked.Increment(ref _nextId).ToString();
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _pending[id] = completion;
        var message = JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments });
        await SendAsync(message, _stop.Token);
        return await completion.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The next message the server invoked on this client (pings are skipped).</summary>
    public async Task<(string Target, JsonElement[] Arguments)> NextInvocationAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        return await _invocations.Reader.ReadAsync(cancellation.Token);
    }

    /// <summary>True when a server invocation arrives within <paramref name="wait"/>.</summary>
    public async Task<bool> AnyInvocationWithinAsync(TimeSpan wait)
    {
        using var cancellation = new CancellationTokenSource(wait);
        try
        {
            return await _invocations.Reader.WaitToReadAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
                foreach (var record in await ReceiveRecordsAsync(_stop.Token))
                    Dispatch(record);
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException or InvalidOperationException)
        {
            _invocations.Writer.TryComplete(error);
        }
    }

    private void Dispatch(string record)
    {
        using var document = JsonDocument.Parse(record);
        var root = document.RootElement;
        switch (root.GetProperty("type").GetInt32())
        {
            case 1:
                var arguments = root.GetProperty("arguments").EnumerateArray().Select(a => a.Clone()).ToArray();
                _invocations.Writer.TryWrite((root.GetProperty("target").GetString()!, arguments));
                break;
            case 3:
                TaskCompletionSource<JsonElement>? completion;
                lock (_gate) _pending.Remove(root.GetProperty("invocationId").GetString()!, out completion);
                if (root.TryGetProperty("error", out var error)) completion?.TrySetException(new InvalidOperationException(error.GetString()));
                else completion?.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
                break;
            case 7:
                _invocations.Writer.TryComplete(new InvalidOperationException($"The server closed the connection: {record}"));
                break;
        }
    }

    private async Task<List<string>> ReceiveRecordsAsync(CancellationToken cancellation)
    {
        var text = new StringBuilder();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cancellation);
            if (result.MessageType == WebSocketMessageType.Close) throw new InvalidOperationException("The server closed the WebSocket.");
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            if (result.EndOfMessage && text.Length > 0 && text[^1] == RecordSeparator)
                return [.. text.ToString().Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries)];
        }
    }

    private Task SendAsync(string json, CancellationToken cancellation) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, cancellation);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _receiving;
        }
        catch (Exception)
        {
            // The loop ends by cancellation or a closed socket; either is expected here.
        }
        _socket.Abort();
        _socket.Dispose();
        _stop.Dispose();
    }
}
