using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tracker.Shared;
using Tracker.Training.Engine;
using Tracker.Training.Processes;

namespace Tracker.Worker.Slurm;

/// <summary>How tracker-worker --slurm asks Slurm for each run's job.</summary>
/// <param name="Partition">sbatch --partition; null: the cluster's default.</param>
/// <param name="Gres">sbatch --gres for a run that trains on a GPU (its device is not cpu), e.g. gpu:1; empty: none.</param>
/// <param name="MinutesPerEpoch">The job's time limit is the run's planned epochs times this, plus <see cref="SlurmSettings.SpareMinutes"/>.</param>
/// <param name="ExtraArguments">More sbatch options, as given (e.g. --account=lab).</param>
public sealed record SlurmSettings(string? Partition, string Gres, double MinutesPerEpoch, IReadOnlyList<string> ExtraArguments)
{
    /// <summary>Start-up, the last validation and the checkpoint, beyond the epochs themselves.</summary>
    public const int SpareMinutes = 5;

    /// <summary>sbatch --time in minutes for a run of <paramref name="epochs"/> planned epochs.</summary>
    public int TimeLimitMinutes(int epochs) => (int)Math.Ceiling(Math.Max(1, epochs) * MinutesPerEpoch) + SpareMinutes;
}

/// <summary>
/// Trains a claimed run as a Slurm batch job (decision 0067). The job runs the same engine command line as a local child
/// (<see cref="TrainingProcess.CommandLine"/>) on a compute node, writing its JSON events to a file in the run's folder,
/// which must be on storage the worker and the nodes share (as Slurm clusters' home and project folders are). The worker
/// reads that file as it grows, so the events go through its outbox to the server exactly as a local child's do, and no
/// credential ever leaves the worker's machine. Cancel maps both ways: a Tracker cancel is an <c>scancel</c>, and a job
/// cancelled in Slurm ends the run cancelled. A job lost with its node (NODE_FAIL, BOOT_FAIL, PREEMPTED) is a crash,
/// which the server retries from the last stored checkpoint.
/// </summary>
public sealed partial class SlurmTrainingJob(SlurmSettings slurm, TrainingProcess engine, Action<string> log) : ITrainingLauncher
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private const int StderrLinesKept = 20;

    /// <summary>Slurm's name for a run's job: what squeue, sacct and scancel show.</summary>
    public static string JobName(long? runId) => $"tracker-run-{runId?.ToString(CultureInfo.InvariantCulture) ?? "local"}";

    public async Task<TrainingProcessResult> RunAsync(RunConfig config, TrainerOptions trainer, Func<TrainingEvent, ValueTask> post, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(post);
        if (!File.Exists(engine.EnginePath)) return TrainingProcess.Crash($"The training engine is missing: no {engine.EnginePath}.", "");
        var configPath = await TrainingProcess.WriteConfigAsync(config, trainer);
        var eventsPath = Path.Combine(trainer.OutputDirectory, "slurm-events.jsonl");
        var stderrPath = Path.Combine(trainer.OutputDirectory, "slurm-stderr.txt");
        var scriptPath = Path.Combine(trainer.OutputDirectory, "slurm-job.sh");
        // A file left by an earlier attempt would be read again as this one's events.
        File.Delete(eventsPath);
        File.Delete(stderrPath);
        await File.WriteAllTextAsync(scriptPath,
            "#!/bin/sh\n# tracker-worker's Slurm job: one run's engine; its stdout is the run's events.\nexec "
            + string.Join(' ', engine.CommandLine(configPath, trainer, cancelOnStdinClose: false).Select(Quote)) + "\n", CancellationToken.None);

        var submitted = await RunToolAsync("sbatch", SubmitArguments(config, trainer, eventsPath, stderrPath, scriptPath), CancellationToken.None);
        if (submitted.ExitCode != 0 || !long.TryParse(submitted.Output.Split(';')[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var jobId))
            return TrainingProcess.Crash($"sbatch did not take the run's job (exit {submitted.ExitCode}): {submitted.Error.Trim()}", "");
        log($"run {trainer.RunId}: Slurm job {jobId} submitted");

        var cancelledHere = false;
        RunFinishedEvent? finished = null;
        using var reader = new GrowingFileLines(eventsPath);
        JobState state;
        while (true)
        {
            if (cancellation.IsCancellationRequested && !cancelledHere)
            {
                cancelledHere = true;
                log($"run {trainer.RunId}: cancelling Slurm job {jobId}");
                await RunToolAsync("scancel", [jobId.ToString(CultureInfo.InvariantCulture)], CancellationToken.None);
            }
            state = await StateAsync(jobId);
            // Read after the state: a job seen ended has written all it will, so this read gets its last lines.
            foreach (var line in reader.ReadNewLines())
            {
                if (!TrainingEventJson.TryDeserialize(line, out var trainingEvent, out var error))
                {
                    log($"run {trainer.RunId}: the job wrote a line that is no event ({error}): {line}");
                    continue;
                }
                if (trainingEvent is RunFinishedEvent end) finished = end;
                else await post(trainingEvent);
            }
            if (state.Ended) break;
            try
            {
                await Task.Delay(Poll, cancelledHere ? CancellationToken.None : cancellation);
            }
            catch (OperationCanceledException)
            {
                // cancel at the top of the loop, then follow the job to its end
            }
        }
        log($"run {trainer.RunId}: Slurm job {jobId} ended {state.Name} (exit {state.ExitCode})");

        // The engine stops on scancel's SIGTERM with a finished event of its own; the run's message says who cancelled it.
        if (state.Name == "CANCELLED" && !cancelledHere)
            return new(TrainingProcess.Cancelled($"Cancelled in Slurm: job {jobId} was cancelled there (scancel or an administrator)."), false);
        if (finished is not null) return new(finished, false);
        if (cancelledHere) return new(TrainingProcess.Cancelled($"Cancelled: Slurm job {jobId} was cancelled (scancel)."), false);
        var stderr = StderrTail(stderrPath);
        if (state.Name == "TIMEOUT")
            return new(new RunFinishedEvent
            {
                Status = RunOutcome.Failed,
                Summary = new RunOutcomeSummary { Error = $"Slurm job {jobId} reached its time limit of {slurm.TimeLimitMinutes(config.Epochs)} minutes (tracker-worker --slurm-minutes-per-epoch sets it)." },
            }, false);
        var what = state.Name switch
        {
            "NODE_FAIL" or "BOOT_FAIL" => $"Slurm job {jobId} was lost with its node ({state.Name})",
            "PREEMPTED" => $"Slurm job {jobId} was preempted",
            "OUT_OF_MEMORY" => $"Slurm job {jobId} ran out of memory",
            _ => $"Slurm job {jobId} ended {state.Name} with exit code {state.ExitCode}",
        };
        return TrainingProcess.Crash($"{what} before the run finished.", stderr);
    }

    private IReadOnlyList<string> SubmitArguments(RunConfig config, TrainerOptions trainer, string eventsPath, string stderrPath, string scriptPath)
    {
        var arguments = new List<string>
        {
            "--parsable", $"--job-name={JobName(trainer.RunId)}", $"--output={eventsPath}", $"--error={stderrPath}",
            $"--time={slurm.TimeLimitMinutes(config.Epochs).ToString(CultureInfo.InvariantCulture)}", $"--chdir={trainer.OutputDirectory}",
        };
        if (slurm.Partition is { Length: > 0 } partition) arguments.Add($"--partition={partition}");
        if (config.Device != DeviceKind.Cpu && slurm.Gres.Length > 0) arguments.Add($"--gres={slurm.Gres}");
        arguments.AddRange(slurm.ExtraArguments);
        arguments.Add(scriptPath);
        return arguments;
    }

    /// <summary>The job's state from <c>scontrol</c> (no accounting database needed); sacct once Slurm has forgotten the job.</summary>
    private static async Task<JobState> StateAsync(long jobId)
    {
        var id = jobId.ToString(CultureInfo.InvariantCulture);
        var shown = await RunToolAsync("scontrol", ["show", "job", "-o", id], CancellationToken.None);
        if (shown.ExitCode == 0 && JobStateField().Match(shown.Output) is { Success: true } match)
            return new JobState(match.Groups[1].Value, ExitCodeField().Match(shown.Output) is { Success: true } exit ? exit.Groups[1].Value : "?");
        var accounted = await RunToolAsync("sacct", ["-j", id, "-X", "-n", "-P", "-o", "State,ExitCode"], CancellationToken.None);
        if (accounted.ExitCode == 0 && accounted.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is { } row)
        {
            var parts = row.Split('|');
            return new JobState(parts[0].Split(' ')[0], parts.Length > 1 ? parts[1] : "?");
        }
        // Neither knows it: it ended long enough ago to be purged, and what it wrote is all there is.
        return new JobState("UNKNOWN", "?");
    }

    private sealed record JobState(string Name, string ExitCode)
    {
        private static readonly HashSet<string> Waiting = ["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING", "STAGE_OUT"];

        public bool Ended => !Waiting.Contains(Name);
    }

    [GeneratedRegex(@"\bJobState=(\S+)")]
    private static partial Regex JobStateField();

    [GeneratedRegex(@"\bExitCode=(\S+)")]
    private static partial Regex ExitCodeField();

    private static async Task<(int ExitCode, string Output, string Error)> RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(cancellation);
            var error = process.StandardError.ReadToEndAsync(cancellation);
            await process.WaitForExitAsync(cancellation);
            return (process.ExitCode, await output, await error);
        }
        catch (System.ComponentModel.Win32Exception missing)
        {
            return (127, "", $"{tool} could not be started ({missing.Message}); is Slurm installed and on PATH?");
        }
    }

    private static string StderrTail(string path)
    {
        if (!File.Exists(path)) return "";
        var lines = File.ReadAllLines(path);
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - StderrLinesKept)));
    }

    /// <summary>A word for sh: in single quotes, each single quote closed, escaped and reopened.</summary>
    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The whole lines a file has gained since the last read; a line still being written waits for its newline.</summary>
    private sealed class GrowingFileLines(string path) : IDisposable
    {
        private FileStream? _stream;
        private readonly StringBuilder _partial = new();
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
        private readonly char[] _chars = new char[Encoding.UTF8.GetMaxCharCount(64 * 1024)];

        public IEnumerable<string> ReadNewLines()
        {
            if (_stream is null)
            {
                if (!File.Exists(path)) yield break;
                _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            int read;
            while ((read = _stream.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                var count = _decoder.GetChars(_buffer, 0, read, _chars, 0);
                for (var i = 0; i < count; i++)
                {
                    if (_chars[i] != '\n')
                    {
                        _partial.Append(_chars[i]);
                        continue;
                    }
                    var line = _partial.ToString().TrimEnd('\r');
                    _partial.Clear();
                    if (line.Length > 0) yield return line;
                }
            }
        }

        public void Dispose() => _stream?.Dispose();
    }
}
