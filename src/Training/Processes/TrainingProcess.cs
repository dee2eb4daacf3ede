using System.Diagnostics;
using Tracker.Shared;
using Tracker.Training.Engine;

namespace Tracker.Training.Processes;

/// <summary>How a <see cref="TrainingProcess"/> starts and stops its child, and where its diagnostics go.</summary>
/// <param name="EnginePath">tracker-train.dll.</param>
/// <param name="CancelGraceSeconds">How long the child may take to stop after it is asked to; then it is killed.</param>
/// <param name="OnStderrLine">Each line the child writes to stderr (run id, line); the supervisor logs them.</param>
/// <param name="OnBadLine">A stdout line that is no event (run id, why, line).</param>
/// <param name="Environment">Variables set for the child beyond the supervisor's own (CUDA_VISIBLE_DEVICES: the GPU the scheduler chose).</param>
public sealed record TrainingProcessOptions(string EnginePath, double CancelGraceSeconds,
    Action<long?, string>? OnStderrLine = null, Action<long?, string, string>? OnBadLine = null,
    IReadOnlyDictionary<string, string>? Environment = null);

/// <summary>
/// Trains one run outside the supervisor's process and reports its events to <c>post</c> (awaited, in order) and its end:
/// a child process on this machine (<see cref="TrainingProcess"/>) or a job of a cluster scheduler (tracker-worker's Slurm mode).
/// </summary>
public interface ITrainingLauncher
{
    Task<TrainingProcessResult> RunAsync(RunConfig config, TrainerOptions trainer, Func<TrainingEvent, ValueTask> post, CancellationToken cancellation);
}

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
public sealed class TrainingProcess(TrainingProcessOptions options) : ITrainingLauncher
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
        var configPath = await WriteConfigAsync(config, trainer);

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

    /// <summary>The run's config, where the engine's command line names it: in the run's output folder.</summary>
    public static async Task<string> WriteConfigAsync(RunConfig config, TrainerOptions trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var configPath = Path.Combine(trainer.OutputDirectory, "run-config.json");
        await File.WriteAllTextAsync(configPath, RunConfigJson.Serialize(config), CancellationToken.None);
        return configPath;
    }

    private ProcessStartInfo StartInfo(string configPath, TrainerOptions trainer)
    {
        var command = CommandLine(configPath, trainer, cancelOnStdinClose: true);
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1)) start.ArgumentList.Add(argument);
        foreach (var (name, value) in options.Environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return start;
    }

    /// <summary>
    /// The engine's command line for a run, the program first: the one place that turns trainer options into arguments.
    /// <paramref name="cancelOnStdinClose"/>: the child stops when its stdin closes (a supervisor's pipe); false where
    /// stdin is no pipe of ours (a Slurm job's is /dev/null) and a signal stops it.
    /// </summary>
    public IReadOnlyList<string> CommandLine(string configPath, TrainerOptions trainer, bool cancelOnStdinClose)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        var command = new List<string>
        {
            DotnetHost(), EnginePath, "train", "--config", configPath, "--out", trainer.OutputDirectory,
            "--system-metrics-every", trainer.SystemMetricsEvery.TotalSeconds.ToString(invariant),
        };
        // Without it the child takes the config's interval: the run setting reaches it inside the config file.
        if (trainer.StepEventEvery is { } stepEvery) command.AddRange(["--step-every", stepEvery.ToString(invariant)]);
        if (cancelOnStdinClose) command.Add("--cancel-on-stdin-close");
        if (trainer.RunId is { } runId) command.AddRange(["--run-id", runId.ToString(invariant)]);
        if (trainer.LastSequence is { } lastSeq) command.AddRange(["--last-seq", lastSeq.ToString(invariant)]);
        if (trainer.StageCheckpoints) command.Add("--stage-checkpoints");
        if (trainer.Threads is { } threads) command.AddRange(["--threads", threads.ToString(invariant)]);
        if (trainer.InitialWeightsPath is { } weights) command.AddRange(["--init-weights", weights]);
        return command;
    }

    /// <summary>The dotnet host that runs the app (started as `dotnet Tracker.Web.dll`), else the one the SDK names, else PATH's.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

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

    /// <summary>A run that ended without a finished event of its own: failed, with what happened and the last stderr lines, and retryable.</summary>
    public static TrainingProcessResult Crash(string what, string stderrTail) => new(new RunFinishedEvent
    {
        Status = RunOutcome.Failed,
        Summary = new RunOutcomeSummary { Error = stderrTail.Length == 0 ? what : $"{what} The last lines of its stderr:\n{stderrTail}" },
    }, Crashed: true);

    public static RunFinishedEvent Cancelled(string message) =>
        new() { Status = RunOutcome.Cancelled, Summary = new RunOutcomeSummary { Message = message } };
}

/// <param name="Finished">The run's end as the process reported it, or as the supervisor saw it.</param>
/// <param name="Crashed">The process ended without a finished event of its own (and was not asked to stop).</param>
public sealed record TrainingProcessResult(RunFinishedEvent Finished, bool Crashed);
