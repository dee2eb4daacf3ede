using System.Globalization;
using System.Net;
using Tracker.Shared;
using Tracker.Training.Engine;
using Tracker.Training.Processes;
using Tracker.Worker.Slurm;

namespace Tracker.Worker;

/// <summary>What a tracker-worker is told on its command line.</summary>
/// <param name="OutboxMaxBytes">Event JSON that may wait unacknowledged before the children wait (back-pressure).</param>
/// <param name="WorkDirectory">One folder per run: its config and checkpoints, so a run resumed here continues.</param>
public sealed record WorkerSettings(
    Uri Server,
    string Token,
    string Name,
    int Slots,
    IReadOnlyList<string> Devices,
    string OutboxPath,
    long OutboxMaxBytes,
    string WorkDirectory,
    string EnginePath,
    double CancelGraceSeconds = 10,
    double PollSeconds = 2,
    double RequestTimeoutSeconds = 30,
    SlurmSettings? Slurm = null,
    int SlotsPerGpu = 1);

/// <summary>
/// tracker-worker's loop (decision 0065): registers with the server, then keeps <see cref="WorkerSettings.Slots"/> runs
/// training. Each claimed run trains in a child <c>tracker-train</c> (<see cref="TrainingProcess"/>, the app's own
/// supervision); its events go into the <see cref="Outbox"/> first and from there to the server in order, and are
/// forgotten only once acknowledged; a checkpoint becomes the run's resume point only once the events up to it are
/// acknowledged. Heartbeats renew each run's lease and bring cancel requests. When the server cannot be reached, training
/// goes on and events wait in the outbox; a run is completed only once all its events are stored.
/// </summary>
public sealed class RemoteWorker(WorkerSettings settings, WorkerClient client, Outbox outbox, TextWriter log)
{
    private static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(5);
    private long _workerId;
    private TimeSpan _heartbeat = TimeSpan.FromSeconds(10);
    private volatile WorkerState _state = WorkerState.Active;
    // One claim at a time, so that each claim reports the devices' load with the previous claim's run on it.
    private readonly SemaphoreSlim _claiming = new(1, 1);
    private readonly Dictionary<long, (string Device, GpuShare Share)> _placed = [];

    public async Task RunAsync(CancellationToken stopping)
    {
        // Events left from a previous process: it held those runs' leases, which have lapsed or will; each run resumes
        // from its last checkpoint whose events are all stored, so these are not needed and cannot be sent.
        foreach (var runId in outbox.Runs())
            Log($"run {runId}: dropping {outbox.Discard(runId)} events a previous worker process left unsent; the run resumes from its last stored checkpoint");
        var registered = await RetryAsync(ct => client.RegisterAsync(
            new WorkerRegistration(settings.Name, Environment.MachineName, settings.Devices, settings.Slots, typeof(RemoteWorker).Assembly.GetName().Version?.ToString()), ct),
            "registering", stopping);
        if (registered is null) return;
        _workerId = registered.WorkerId;
        _heartbeat = TimeSpan.FromSeconds(registered.HeartbeatSeconds);
        _state = registered.State;
        Log($"registered with {settings.Server} as worker {_workerId} '{registered.Name}' ({settings.Slots} slot(s) on {string.Join(", ", settings.Devices)}), {_state}");
        using var stopHeartbeat = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var heartbeat = WorkerHeartbeatAsync(stopHeartbeat.Token);
        try
        {
            await Task.WhenAll(Enumerable.Range(1, settings.Slots).Select(slot => SlotAsync(slot, stopping)));
        }
        finally
        {
            await stopHeartbeat.CancelAsync();
            await heartbeat;
        }
    }

    private async Task WorkerHeartbeatAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    var answer = await client.HeartbeatAsync(_workerId, stop);
                    if (answer.State != _state) Log($"the server set this worker {answer.State.ToString().ToLowerInvariant()}");
                    _state = answer.State;
                }
                catch (Exception error) when (error is ServerUnavailableException or ServerRefusedException)
                {
                    // Missed beats cost nothing: the runs' own heartbeats hold their leases.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SlotAsync(int slot, CancellationToken stopping)
    {
        var poll = TimeSpan.FromSeconds(settings.PollSeconds);
        while (!stopping.IsCancellationRequested)
        {
            ClaimAnswer? answer = null;
            try
            {
                await _claiming.WaitAsync(stopping);
                try
                {
                    answer = await client.ClaimAsync(_workerId, new ClaimRequest(Loads()), stopping);
                    _state = answer.State;
                    if (answer.Run is { } claimed)
                        lock (_placed) _placed[claimed.RunId] = (claimed.Device ?? settings.Devices[0], claimed.Share ?? GpuShare.Shared);
                }
                finally
                {
                    _claiming.Release();
                }
            }
            catch (Exception error) when (error is ServerUnavailableException or ServerRefusedException)
            {
                Log($"slot {slot}: claiming failed: {error.Message}");
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            if (answer?.Run is not { } run)
            {
                try
                {
                    await Task.Delay(poll, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            try
            {
                await TrainAsync(run, stopping);
            }
            catch (Exception error) when (error is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                Log($"run {run.RunId}: {error}");
            }
            finally
            {
                lock (_placed) _placed.Remove(run.RunId);
            }
        }
    }

    /// <summary>
    /// What each device holds now, for the server's scheduler: a GPU has <see cref="WorkerSettings.SlotsPerGpu"/> slots,
    /// the CPU (or a Slurm worker's single "device") <see cref="WorkerSettings.Slots"/>.
    /// </summary>
    private List<DeviceLoad> Loads()
    {
        lock (_placed)
            return settings.Devices.Select(device =>
            {
                var here = _placed.Values.Where(p => p.Device == device).ToList();
                var load = new DeviceLoad(device, 0, here.Count(p => p.Share != GpuShare.Exclusive), here.Any(p => p.Share == GpuShare.Exclusive));
                return load with { Slots = load.IsGpu ? settings.SlotsPerGpu : settings.Slots };
            }).ToList();
    }

    /// <summary>A child on GPU <c>cuda:N</c> sees only that GPU, as its device 0.</summary>
    private static Dictionary<string, string>? DeviceEnvironment(string? device) =>
        device is { } name && name.StartsWith("cuda:", StringComparison.Ordinal)
            ? new Dictionary<string, string> { ["CUDA_VISIBLE_DEVICES"] = name["cuda:".Length..] }
            : null;

    /// <summary>How one run stands while it trains here.</summary>
    private sealed class RunControl(CancellationToken stopping) : IDisposable
    {
        /// <summary>The worker is stopping: its runs go back to the queue.</summary>
        public CancellationToken Stopping { get; } = stopping;
        /// <summary>Stops the child: a cancel request, a lost lease, or the worker stopping.</summary>
        public CancellationTokenSource Training { get; } = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        /// <summary>Stops sending and heartbeating: the run is completed here, given back, or its lease is gone.</summary>
        public CancellationTokenSource Ended { get; } = new();
        /// <summary>The server says the lease is no longer ours: the run resumes elsewhere; nothing more is sent.</summary>
        public volatile bool LeaseLost;
        public volatile bool CancelRequested;
        public volatile bool ChildExited;

        public void Dispose()
        {
            Training.Dispose();
            Ended.Dispose();
        }
    }

    private async Task TrainAsync(ClaimedRun run, CancellationToken stopping)
    {
        var runId = run.RunId;
        var directory = Path.Combine(settings.WorkDirectory, runId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        // A checkpoint never promoted may be ahead of the stored events; earlier unsent events are superseded by this attempt.
        Checkpoint.DiscardStaged(directory);
        outbox.Discard(runId);
        var checkpoint = Path.Combine(directory, Checkpoint.FileName);
        CheckpointMeta? resumed;
        try
        {
            resumed = File.Exists(checkpoint) ? Checkpoint.ReadMeta(checkpoint) : null;
        }
        catch (Exception error) when (error is IOException or InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            Log($"run {runId}: the checkpoint {checkpoint} cannot be read ({error.Message}); training from scratch");
            File.Delete(checkpoint);
            resumed = null;
        }
        using var control = new RunControl(stopping);
        var started = await RunCallAsync(ct => client.StartAsync(_workerId, runId, new RunStartRequest(resumed?.Step ?? 0, resumed?.Epoch ?? 0), ct),
            runId, control, "starting");
        if (started is null)
        {
            if (stopping.IsCancellationRequested) await GiveBackAsync(runId);
            return;
        }
        string? parentWeights = null;
        if (run.Config.ParentRunId is { } parent)
        {
            var fetched = await FetchParentCheckpointAsync(runId, parent, directory, control);
            if (fetched is null)
            {
                if (stopping.IsCancellationRequested) await GiveBackAsync(runId);
                return;
            }
            if (fetched.Problem is { } problem)
            {
                await CompleteAsync(runId, control, new CompleteRequest(Failed(problem)));
                return;
            }
            parentWeights = fetched.Path;
        }
        Log($"run {runId}: attempt {run.Attempt} starts from epoch {(resumed?.Epoch ?? 0) + 1}, events after {started.StoredSeq}");

        var trainer = new TrainerOptions
        {
            OutputDirectory = directory, RunId = runId, LastSequence = started.StoredSeq, StageCheckpoints = true, InitialWeightsPath = parentWeights,
        };
        var heartbeat = RunHeartbeatAsync(runId, control);
        var sender = SendAsync(runId, control);
        TrainingProcessResult result;
        try
        {
            var process = new TrainingProcess(new TrainingProcessOptions(settings.EnginePath, settings.CancelGraceSeconds,
                OnBadLine: (id, error, line) => Log($"run {id}: tracker-train wrote a line that is no event ({error}): {line}"),
                Environment: DeviceEnvironment(run.Device)));
            // Slurm mode: the same engine command line, as a batch job on a compute node instead of a child here.
            ITrainingLauncher launcher = settings.Slurm is { } slurm ? new SlurmTrainingJob(slurm, process, Log) : process;
            result = await launcher.RunAsync(run.Config, trainer, e => AppendAsync(runId, e, control), control.Training.Token);
        }
        catch (Exception error) when (error is IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            result = new TrainingProcessResult(Failed($"The training process could not run: {error.Message}"), Crashed: true);
        }
        finally
        {
            control.ChildExited = true;
        }
        Log($"run {runId}: the training process ended ({result.Finished.Status.ToString().ToLowerInvariant()}); {outbox.PendingCountOf(runId)} events still to send");
        var drained = await sender;
        if (control.LeaseLost)
        {
            await heartbeat;
            Log($"run {runId}: the lease is no longer this worker's; dropped {outbox.Discard(runId)} unsent events, the run resumes from its last stored checkpoint");
            return;
        }
        // Stopping the worker is not the run's end: it goes back to the queue and resumes from its last stored checkpoint.
        if (!drained || (stopping.IsCancellationRequested && !control.CancelRequested))
        {
            await control.Ended.CancelAsync();
            await heartbeat;
            outbox.Discard(runId);
            await GiveBackAsync(runId);
            return;
        }
        if (result.Finished.Status == RunOutcome.Succeeded) await UploadCheckpointAsync(runId, checkpoint, control);
        await CompleteAsync(runId, control, new CompleteRequest(result.Finished, result.Crashed));
        await control.Ended.CancelAsync();
        await heartbeat;
    }

    /// <summary>Where a fine-tune run's starting weights are, or why there are none (the run fails with it); null when the lease was lost.</summary>
    private sealed record ParentCheckpoint(string? Path, string? Problem);

    private Task<ParentCheckpoint?> FetchParentCheckpointAsync(long runId, string parent, string directory, RunControl control)
    {
        var path = Path.Combine(directory, $"parent-{parent}-{Checkpoint.FileName}");
        return RunCallAsync<ParentCheckpoint>(async ct =>
        {
            try
            {
                await client.DownloadParentCheckpointAsync(_workerId, runId, path, ct);
                Log($"run {runId}: fine-tunes from run {parent}'s checkpoint ({new FileInfo(path).Length} bytes, checked)");
                return new ParentCheckpoint(path, null);
            }
            catch (ServerRefusedException refused) when (refused.Status == System.Net.HttpStatusCode.NotFound)
            {
                return new ParentCheckpoint(null, $"The server has no checkpoint of run {parent} to fine-tune from: {refused.Message}");
            }
        }, runId, control, "fetching the parent's checkpoint");
    }

    /// <summary>
    /// Hands a succeeded run's final checkpoint to the server, so fine-tuning and downloads work wherever the run trained.
    /// Retried while the server is away or the bytes break on the way (a few times); the run completes either way.
    /// </summary>
    private async Task UploadCheckpointAsync(long runId, string checkpoint, RunControl control)
    {
        if (!File.Exists(checkpoint))
        {
            Log($"run {runId}: no checkpoint at {checkpoint} to upload");
            return;
        }
        var broken = 0;
        var stored = await RunCallAsync<CheckpointStored>(async ct =>
        {
            try
            {
                return await client.UploadCheckpointAsync(_workerId, runId, checkpoint, ct);
            }
            catch (ServerRefusedException refused) when (refused.Status == System.Net.HttpStatusCode.BadRequest && ++broken < MaxUploadAttempts)
            {
                throw new ServerUnavailableException($"the server received a broken copy ({refused.Message})");
            }
        }, runId, control, "uploading the checkpoint");
        if (stored is not null) Log($"run {runId}: checkpoint uploaded ({stored.Bytes} bytes, SHA-256 {stored.Sha256})");
    }

    private const int MaxUploadAttempts = 3;

    /// <summary>
    /// The child's event goes into the outbox, waiting while it is full, which holds the child back. Once the lease is
    /// lost, or the worker stops, an event that finds no room is dropped: the run resumes from its last stored checkpoint.
    /// </summary>
    private async ValueTask AppendAsync(long runId, TrainingEvent trainingEvent, RunControl control)
    {
        if (control.LeaseLost) return;
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(control.Ended.Token, control.Stopping);
        try
        {
            await outbox.AppendAsync(runId, trainingEvent, giveUp.Token);
        }
        catch (OperationCanceledException)
        {
            // dropped, as above
        }
    }

    /// <summary>
    /// Sends the run's outbox in order until the child has exited and every event is acknowledged (true), or the lease is
    /// lost or the worker stops with events unsent (false). A server that cannot be reached is retried with backoff.
    /// </summary>
    private async Task<bool> SendAsync(long runId, RunControl control)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        var wasDown = false;
        var ended = control.Ended.Token;
        while (!ended.IsCancellationRequested)
        {
            var appended = outbox.WhenAppended;
            var exited = control.ChildExited; // read before the outbox: an event appended after this is seen next round
            var batch = outbox.Pending(runId, WorkerProtocol.MaxEventsPerBatch);
            if (batch.Count == 0)
            {
                if (exited) return true;
                await Task.WhenAny(appended, Task.Delay(200, ended)).ContinueWith(_ => { }, TaskScheduler.Default);
                continue;
            }
            if (exited && control.Stopping.IsCancellationRequested && wasDown) return false; // no waiting for a server that is away
            try
            {
                var ack = await client.PostEventsAsync(_workerId, runId, batch, ended);
                Acknowledged(runId, batch, ack.AckedSeq);
                if (wasDown) Log($"run {runId}: the server is back; events acknowledged up to {ack.AckedSeq}");
                wasDown = false;
                delay = TimeSpan.FromMilliseconds(100);
            }
            catch (ServerUnavailableException error)
            {
                if (!wasDown) Log($"run {runId}: sending events failed ({error.Message}); training goes on, events wait in the outbox");
                wasDown = true;
                await Task.Delay(delay, ended).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks));
            }
            catch (ServerRefusedException refused) when (refused.ExpectedSeq is { } expected && expected > batch[0].Seq)
            {
                // The server holds more than we thought (an answer lost on the way): those events are stored.
                Acknowledged(runId, batch, expected - 1);
            }
            catch (ServerRefusedException refused)
            {
                Log($"run {runId}: the server refused its events: {refused.Message}");
                LoseLease(control);
                return false;
            }
            catch (OperationCanceledException) when (ended.IsCancellationRequested)
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>Forgets acknowledged events; a checkpoint among them is stored with all its events, so it becomes the resume point.</summary>
    private void Acknowledged(long runId, IReadOnlyList<PendingEvent> batch, long ackedSeq)
    {
        foreach (var pending in batch)
        {
            if (pending.Seq > ackedSeq) break;
            if (!pending.Json.StartsWith("{\"type\":\"checkpoint\"", StringComparison.Ordinal)) continue;
            if (TrainingEventJson.TryDeserialize(pending.Json, out var trainingEvent, out _) && trainingEvent is CheckpointEvent saved)
            {
                try
                {
                    Checkpoint.Promote(saved.Path);
                }
                catch (IOException error)
                {
                    Log($"run {runId}: checkpoint {saved.Path} could not become the resume point: {error.Message}");
                }
            }
        }
        outbox.Acknowledge(runId, ackedSeq);
    }

    /// <summary>Renews the run's lease until the run is completed or lost; a cancel request or a lost lease stops the child.</summary>
    private async Task RunHeartbeatAsync(long runId, RunControl control)
    {
        using var timer = new PeriodicTimer(_heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(control.Ended.Token))
            {
                try
                {
                    var answer = await client.RunHeartbeatAsync(_workerId, runId, control.Ended.Token);
                    if (answer.CancelRequested && !control.CancelRequested)
                    {
                        Log($"run {runId}: cancel requested");
                        control.CancelRequested = true;
                        await control.Training.CancelAsync();
                    }
                }
                catch (ServerUnavailableException)
                {
                    // The lease has slack for missed beats; a long cut lets it lapse, and the server says so when it is back.
                }
                catch (ServerRefusedException refused) when (refused.Status is HttpStatusCode.Conflict or HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
                {
                    Log($"run {runId}: {refused.Message}");
                    LoseLease(control);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static void LoseLease(RunControl control)
    {
        control.LeaseLost = true;
        control.Ended.Cancel();
        control.Training.Cancel();
    }

    /// <summary>Records the run's end, retried while the server cannot be reached; a refusal means the lease was lost meanwhile.</summary>
    private async Task CompleteAsync(long runId, RunControl control, CompleteRequest request)
    {
        var answer = await RunCallAsync(ct => client.CompleteAsync(_workerId, runId, request, ct), runId, control, "completing");
        if (answer is not null)
            Log(answer.Requeued ? $"run {runId}: crashed; back in the queue to retry from its checkpoint" : $"run {runId}: recorded {answer.Status}");
    }

    /// <summary>Gives the run back to the queue as the worker stops; one try with a short deadline, since a lease that lapses is requeued anyway.</summary>
    private async Task GiveBackAsync(long runId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await client.ReleaseAsync(_workerId, runId, null, deadline.Token);
            Log($"run {runId}: given back to the queue; it resumes from its last stored checkpoint");
        }
        catch (Exception error) when (error is ServerUnavailableException or ServerRefusedException or OperationCanceledException)
        {
            Log($"run {runId}: could not give the run back ({error.Message}); its lease lapses and it is requeued");
        }
    }

    /// <summary>A call about one run, retried while the server cannot be reached; null when the lease is lost (a refusal) or the worker stops.</summary>
    private async Task<T?> RunCallAsync<T>(Func<CancellationToken, Task<T>> call, long runId, RunControl control, string what) where T : class
    {
        var delay = TimeSpan.FromMilliseconds(200);
        // A stopping worker does not wait for a server that is away: the run's lease lapses and it is requeued.
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(control.Ended.Token, control.Stopping);
        while (!giveUp.IsCancellationRequested)
        {
            try
            {
                return await call(giveUp.Token);
            }
            catch (ServerUnavailableException error)
            {
                Log($"run {runId}: {what} failed ({error.Message}); retrying");
                await Task.Delay(delay, giveUp.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks));
            }
            catch (ServerRefusedException refused)
            {
                Log($"run {runId}: {what} was refused: {refused.Message}");
                LoseLease(control);
                return null;
            }
            catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
            {
                return null;
            }
        }
        return null;
    }

    private async Task<T?> RetryAsync<T>(Func<CancellationToken, Task<T>> call, string what, CancellationToken stopping) where T : class
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                return await call(stopping);
            }
            catch (ServerUnavailableException error)
            {
                Log($"{what} failed ({error.Message}); retrying");
                await Task.Delay(delay, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks));
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return null;
            }
        }
        return null;
    }

    private static RunFinishedEvent Failed(string error) => new() { Status = RunOutcome.Failed, Summary = new RunOutcomeSummary { Error = error } };

    private void Log(string message)
    {
        lock (log) log.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} tracker-worker: {message}");
    }
}
