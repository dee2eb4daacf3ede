using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Tracker.Tests.Support;

/// <summary>
/// Tracker.Web started as its own process on Kestrel, the way it is deployed, rather than on the test
/// server. Port 0 in the URLs lets the OS pick a free port; the app logs the one it got. Shared by the
/// test projects that need a real server (linked into each, see their .csproj).
/// </summary>
public sealed partial class RunningApp : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log;
    private bool _stopped;

    private RunningApp(Process process, Uri address, ConcurrentQueue<string> log)
    {
        _process = process;
        _log = log;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>What the app wrote to stdout and stderr so far, for failure messages.</summary>
    public string Log => string.Join('\n', _log);

    /// <summary>
    /// Runs Tracker.Web.dll from the test's output folder, which holds it with its runtimeconfig, deps and
    /// static web asset manifests. The environment is Production unless <paramref name="environment"/> says otherwise.
    /// The app makes its admin from <see cref="TestAuth.AdminToken"/> (an empty Auth__BootstrapAdminToken in
    /// <paramref name="environment"/> leaves it without users, for the /setup journey); <see cref="CreateClient"/> sends it.
    /// </summary>
    public static async Task<RunningApp> StartAsync(string[] arguments, (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Tracker.Web.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        start.Environment[TestAuth.EnvironmentVariable] = TestAuth.AdminToken;
        foreach (var (name, value) in environment) start.Environment[name] = value;

        var process = new Process { StartInfo = start };
        var log = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Both pipes are drained for the app's whole life, so a chatty log can never block it.
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"Tracker.Web exited before listening:\n{string.Join('\n', log)}"));
                return;
            }
            log.Enqueue(line.Data);
            if (ListeningPattern().Match(line.Data) is { Success: true } match)
                listening.TrySetResult(new Uri(match.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null) log.Enqueue(line.Data);
        };

        if (!process.Start()) throw new InvalidOperationException("dotnet did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(StartTimeout);
        using var onTimeout = timeout.Token.Register(() => listening.TrySetException(
            new TimeoutException($"Tracker.Web did not listen within {StartTimeout}:\n{string.Join('\n', log)}")));
        try
        {
            return new RunningApp(process, await listening.Task, log);
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    /// <summary>A client of the app that sends the admin's token.</summary>
    public HttpClient CreateClient() => TestAuth.Authorize(new HttpClient { BaseAddress = Address });

    /// <summary>A client that sends no credentials, as a stranger's script would.</summary>
    public HttpClient CreateAnonymousClient() => new() { BaseAddress = Address };

    /// <summary>Ends the app's process at once, as a crash or a redeploy would; safe to call again.</summary>
    public void Stop()
    {
        if (_stopped) return;
        _stopped = true;
        Kill(_process);
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private static void Kill(Process process)
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningPattern();
}
