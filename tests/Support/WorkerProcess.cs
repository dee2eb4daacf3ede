using System.Collections.Concurrent;
using System.Diagnostics;

namespace Tracker.Tests.Support;

/// <summary>
/// tracker-worker.dll from the caller's output folder, as its own process, with its output kept for failure messages.
/// Shared by the integration tests and the remote-ingest benchmark (linked into each, see their .csproj).
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private WorkerProcess(Process process) => _process = process;

    public string Log => string.Join('\n', _log);

    public bool HasExited => _process.HasExited;

    /// <summary>Starts a worker polling every 0.2 s with a 5 s cancel grace; <paramref name="more"/> are further options.</summary>
    public static WorkerProcess Start(Uri server, string token, string name, string work, params string[] more) =>
        Start(server, token, name, work, new Dictionary<string, string>(), more);

    /// <summary>The same, with <paramref name="environment"/> set for the worker (and so inherited by its children).</summary>
    public static WorkerProcess Start(Uri server, string token, string name, string work, IReadOnlyDictionary<string, string> environment, params string[] more)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "tracker-worker.dll"), "--server", server.ToString(), "--token", token,
                     "--name", name, "--work", work, "--poll", "0.2", "--cancel-grace", "5",
                 }.Concat(more))
            start.ArgumentList.Add(argument);
        foreach (var (variable, value) in environment) start.Environment[variable] = value;
        var worker = new WorkerProcess(new Process { StartInfo = start });
        worker._process.OutputDataReceived += (_, line) => { if (line.Data is not null) worker._log.Enqueue(line.Data); };
        worker._process.ErrorDataReceived += (_, line) => { if (line.Data is not null) worker._log.Enqueue(line.Data); };
        worker._process.Start();
        worker._process.BeginOutputReadLine();
        worker._process.BeginErrorReadLine();
        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
