using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Tracker.Web.IntegrationTests.Support;

/// <summary>
/// A TCP proxy between a worker and the app: it forwards every connection to <see cref="Target"/>, which a test may
/// point at a restarted app, and <see cref="Cut"/> cuts the worker off (open connections are reset and new ones refused)
/// for a while, as a network outage would.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _cutUntilTicks;

    public TcpProxy(Uri target)
    {
        Target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Where connections go; new connections follow a change.</summary>
    public Uri Target { get; set; }

    /// <summary>Connections refused or reset by a cut.</summary>
    public int Refused;

    private bool IsCut => DateTime.UtcNow.Ticks < Interlocked.Read(ref _cutUntilTicks);

    /// <summary>Resets every open connection and refuses new ones for <paramref name="duration"/>.</summary>
    public void Cut(TimeSpan duration)
    {
        Interlocked.Exchange(ref _cutUntilTicks, (DateTime.UtcNow + duration).Ticks);
        foreach (var client in _open.Keys)
        {
            Interlocked.Increment(ref Refused);
            Reset(client);
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        if (IsCut)
        {
            Interlocked.Increment(ref Refused);
            Reset(client);
            return;
        }
        using var upstream = new TcpClient();
        _open[client] = 0;
        _open[upstream] = 0;
        try
        {
            await upstream.ConnectAsync(Target.Host, Target.Port, _stop.Token);
            var toServer = client.GetStream().CopyToAsync(upstream.GetStream(), _stop.Token);
            var toClient = upstream.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
            await Task.WhenAny(toServer, toClient);
        }
        catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // a cut, a stopped app or the end of the test: the worker sees a broken connection
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(upstream, out _);
            Reset(client);
            Reset(upstream);
        }
    }

    private void Reset(TcpClient client)
    {
        try
        {
            if (client.Connected) client.Client.LingerState = new LingerOption(true, 0); // RST, not a polite close
            client.Close();
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            // closed already
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in _open.Keys) Reset(client);
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
