using System.Diagnostics;
using Tracker.Shared;
using Tracker.Training.Engine;

namespace Tracker.Training.Processes;

/// <summary>How a <see cref="TrainingProcess"/> starts and stops its child, and where its diagnostics go.</summary>
/// <param name="EnginePath">tracker-train.dll.</param>
/// <param name="CancelGraceSeconds">How long the child may take to stop after it is asked to; then it is killed.</param>
/// <param name="OnStderrLine">Each line the child writes to stderr (run id, line); the supervisor logs them.</param>
/// <param name="OnBadLine">A stdout line that is no event (run id, why, line).</param>
public sealed record TrainingProcessOptions(string EnginePath, double CancelGraceSeconds,
    Action<long?, string>? OnStderrLine = null, Action<long?, string, string>? OnBadLine = null);

/// <summary>
/// Trains one run in a child process: <c>tracker-train train</c>, the same engine, with the run's config and the
/// worker's trainer options on its command line. Its events come back as JSON lines on stdout and go to
/// <c>post</c> as they arrive; its stderr is kept (the last lines) to explain a crash. Cancelling closes its stdin,
/// which the engine takes as "stop at the next step"; one that has not exited after the grace period is killed.
/// A process that ends without a finished event crashed (a signal, an abort, an out-of-memory kill, a non-zero exit):
/// the result says so with its exit and stderr, and <see cref="TrainingProcessResult.Crashed"/> lets the worker retry.
/// One implementation for both supervisors: the app's local worker and <c>tracker-worker</c> on another machine.
/// <c>post</c> is awaited before the next line is read, so a consumer that is full (a remote worker's outbox) holds the
/// child back: its stdout pipe fills and it waits, losing nothing.
/// </summary>
public sealed class TrainingProcess(TrainingProcessOptions options)
{
    private const int StderrLinesKept = 20;

    /// <summary>tracker-train.dll beside the running program (the app and tracker-worker both carry it).</summary>
    public static string DefaultEnginePath => Path.Combine(AppContext.BaseDirectory, "tracker-train.dll");

    public string EnginePath => options.EnginePath;

    public async Task<TrainingProcessResult> RunAsync(RunConfig config, TrainerOptions trainer, Func<TrainingEvent, ValueTask> post, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(post);
        if (!File.Exists(EnginePath)) return Crash($"The training engine is missing: no {EnginePath}.", "");
        var configPath = Path.Combine(trainer.OutputDirectory, "run-config.json");
        await File.WriteAllTextAsync(configPath, RunConfigJson.Serialize(config), CancellationToken.None);

        using var process = new Process { StartInfo = StartInfo(configPath, trainer) };
        var stderr = new Queue<string>();
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            options.OnStderrLine?.Invoke(trainer.RunId, line.Data);
            lock (stderr)
            {
                stderr.Enqueue(line.Data);
                if (stderr.Count > StderrLinesKept) stderr.Dequeue();
            }
        };
        process.Start();
        process.BeginErrorReadLine();

        var killedAfterGrace = false;
        await using var onCancel = cancellation.Register(() =>
        {
            try
            {
                process.StandardInput.Close(); // the engine's signal to stop
            }
            catch (Exception error) when (error is IOException or InvalidOperationException)
            {
                // it is exiting already
            }
            _ = Task.Delay(TimeSpan.FromSeconds(options.CancelGraceSeconds)).ContinueWith(_ =>
            {
                try
                {
                    if (process.HasExited) return;
                    killedAfterGrace = true;
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // exited meanwhile
                }
            }, TaskScheduler.Default);
        });

        RunFinishedEvent? finished = null;
        while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
        {
            if (!TrainingEventJson.TryDeserialize(line, out var trainingEvent, out var error))
            {
                options.OnBadLine?.Invoke(trainer.RunId, error, line);
                continue;
            }
            if (trainingEvent is RunFinishedEvent end) finished = end;
            else await post(trainingEvent);
        }
        await process.WaitForExitAsync(CancellationToken.None);
        var tail = StderrTail(stderr);

        if (killedAfterGrace)
            return new(Cancelled($"Cancelled: the training process did not stop within {options.CancelGraceSeconds:0.#} s of being asked and was killed."), false);
        if (finished is not null) return new(finished, false);
        if (cancellation.IsCancellationRequested) return new(Cancelled("Cancelled."), false);
        return Crash($"The training process {DescribeExit(process.ExitCode)} before the run finished.", tail);
    }

    private ProcessStartInfo StartInfo(string configPath, TrainerOptions trainer)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(EnginePath);
        foreach (var argument in new[]
                 {
                     "train", "--config", configPath, "--out", trainer.OutputDirectory, "--cancel-on-stdin-close",
                     "--step-every", trainer.StepEventEvery.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--system-metrics-every", trainer.SystemMetricsEvery.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                 })
            start.ArgumentList.Add(argument);
        if (trainer.RunId is { } runId) Add(start, "--run-id", runId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (trainer.LastSequence is { } lastSeq) Add(start, "--last-seq", lastSeq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (trainer.StageCheckpoints) start.ArgumentList.Add("--stage-checkpoints");
        if (trainer.Threads is { } threads) Add(start, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (trainer.InitialWeightsPath is { } weights) Add(start, "--init-weights", weights);
        return start;
    }

    /// <summary>The dotnet host that runs the app (started as `dotnet Tracker.Web.dll`), else the one the SDK names, else PATH's.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private static void Add(ProcessStartInfo start, string option, string value)
    {
        start.ArgumentList.Add(option);
        start.ArgumentList.Add(value);
    }

    /// <summary>"exited with code 3", "was killed by SIGKILL (e.g. out of memory)"... (.NET reports a signal as 128 + its number).</summary>
    public static string DescribeExit(int exitCode) => exitCode switch
    {
        137 => "was killed by SIGKILL (for example by the out-of-memory killer)",
        139 => "crashed with SIGSEGV (a segmentation fault)",
        134 => "aborted (SIGABRT)",
        135 => "crashed with SIGBUS",
        136 => "crashed with SIGFPE",
        143 => "was terminated by SIGTERM",
        > 128 and < 160 => $"was killed by signal {exitCode - 128}",
        _ => $"exited with code {exitCode}",
    };

    private static string StderrTail(Queue<string> lines)
    {
        lock (lines) return string.Join('\n', lines);
    }

    private static TrainingProcessResult Crash(string what, string stderrTail) => new(new RunFinishedEvent
    {
        Status = RunOutcome.Failed,
        Summary = new RunOutcomeSummary { Error = stderrTail.Length == 0 ? what : $"{what} The last lines of its stderr:\n{stderrTail}" },
    }, Crashed: true);

    private static RunFinishedEvent Cancelled(string message) =>
        new() { Status = RunOutcome.Cancelled, Summary = new RunOutcomeSummary { Message = message } };
}

/// <param name="Finished">The run's end as the process reported it, or as the supervisor saw it.</param>
/// <param name="Crashed">The process ended without a finished event of its own (and was not asked to stop).</param>
public sealed record TrainingProcessResult(RunFinishedEvent Finished, bool Crashed);
