using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tracker.Shared;

/// <summary>
/// The HTTP protocol between a Tracker server and a remote worker (<c>tracker-worker</c>): the routes under
/// <c>/api/workers</c> and their bodies. A worker registers, then claims jobs; for each run it holds it posts the run's
/// events in sequence order (a resent event is a no-op; the answer acknowledges the highest stored sequence), renews
/// the run's lease with heartbeats that also carry cancel requests, and ends the lease by completing or releasing it.
/// </summary>
public static class WorkerProtocol
{
    public const string Prefix = "/api/workers";

    public static string Register => $"{Prefix}/register";
    public static string Heartbeat(long workerId) => $"{Prefix}/{workerId}/heartbeat";
    public static string Claim(long workerId) => $"{Prefix}/{workerId}/claim";
    public static string Start(long workerId, long runId) => $"{Prefix}/{workerId}/runs/{runId}/start";
    public static string Events(long workerId, long runId) => $"{Prefix}/{workerId}/runs/{runId}/events";
    public static string RunHeartbeat(long workerId, long runId) => $"{Prefix}/{workerId}/runs/{runId}/heartbeat";
    public static string Release(long workerId, long runId) => $"{Prefix}/{workerId}/runs/{runId}/release";
    public static string Complete(long workerId, long runId) => $"{Prefix}/{workerId}/runs/{runId}/complete";
    public static string Checkpoint(long workerId, long runId) => $"{Prefix}/{workerId}/runs/{runId}/checkpoint";
    public static string ParentCheckpoint(long workerId, long runId) => $"{Prefix}/{workerId}/runs/{runId}/parent-checkpoint";

    /// <summary>
    /// A checkpoint's SHA-256 in lowercase hex: sent with an upload and with a download, and checked by whoever receives
    /// the file, so neither side keeps a checkpoint that broke on the way.
    /// </summary>
    public const string CheckpointSha256Header = "X-Checkpoint-Sha256";

    /// <summary>Most events one batch may carry; a worker sends its backlog in batches of at most this many.</summary>
    public const int MaxEventsPerBatch = 5000;

    /// <summary>The JSON both sides use for the protocol's bodies (events inside keep <see cref="TrackerJson"/>'s shape).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>What a worker may do: take jobs (active), finish the ones it holds but take no more (draining), or nothing (disabled).</summary>
public enum WorkerState
{
    Active,
    Draining,
    Disabled,
}

/// <summary>A worker introduces itself; registering again under the same name (a restart) updates the same worker.</summary>
/// <param name="Name">Unique per server: letters, digits, '.', '_' and '-'.</param>
/// <param name="Host">The machine it runs on.</param>
/// <param name="Devices">What it trains on, e.g. ["cpu"] or ["cuda:0", "cuda:1"].</param>
/// <param name="Slots">Runs it trains at once.</param>
public sealed record WorkerRegistration(string? Name, string? Host, IReadOnlyList<string>? Devices, int Slots, string? Version = null);

/// <param name="HeartbeatSeconds">How often the worker renews the leases of the runs it holds.</param>
/// <param name="LeaseSeconds">How long a lease lasts without a heartbeat; then the run goes back to the queue.</param>
public sealed record WorkerRegistered(long WorkerId, string Name, WorkerState State, double HeartbeatSeconds, double LeaseSeconds);

public sealed record WorkerHeartbeatAnswer(long WorkerId, WorkerState State);

/// <summary>
/// One device of a worker as it is at a claim: a GPU (<c>cuda:N</c>) or the CPU, how many runs it may hold at once, and
/// what it holds. An exclusive run fills a GPU whatever its slots; a CPU holds runs up to its slots, shared or not.
/// </summary>
public sealed record DeviceLoad(string Device, int Slots, int SharedRuns, bool HoldsExclusive)
{
    public bool IsGpu => Device.StartsWith("cuda", StringComparison.Ordinal);

    public int Runs => SharedRuns + (HoldsExclusive ? 1 : 0);

    public bool IsIdle => Runs == 0;

    public bool HasSharedRoom => !HoldsExclusive && SharedRuns < Slots;
}

/// <summary>A claim's body: the worker's devices and what they hold, so the server places the run (none: the first queued run, anywhere).</summary>
public sealed record ClaimRequest(IReadOnlyList<DeviceLoad>? Devices);

/// <summary>The answer to a claim: the job taken, or none (an empty queue, or a worker that may take no more).</summary>
public sealed record ClaimAnswer(WorkerState State, ClaimedRun? Run);

/// <param name="Attempt">How many times the run's job has been claimed, this claim included.</param>
/// <param name="StoredSeq">The run's last stored event sequence: a resumed run numbers its events from the next.</param>
/// <param name="CheckpointOnServer">The server's run store holds a checkpoint of this run.</param>
/// <param name="Device">Where the scheduler placed the run, one of the devices the claim listed; null when the claim listed none.</param>
/// <param name="Share">The share of the GPU the run takes there (shared or exclusive).</param>
public sealed record ClaimedRun(long RunId, [property: JsonConverter(typeof(RunConfigWireConverter))] RunConfig Config, int Attempt, long StoredSeq,
    bool CheckpointOnServer, string? Device = null, GpuShare? Share = null);

/// <summary>A run config inside a protocol body is written as the run config JSON (<see cref="RunConfigJson.Options"/>), as tracker-train reads it.</summary>
public sealed class RunConfigWireConverter : JsonConverter<RunConfig>
{
    public override RunConfig? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<RunConfig>(ref reader, RunConfigJson.Options);

    public override void Write(Utf8JsonWriter writer, RunConfig value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, RunConfigJson.Options);
}

/// <summary>The worker starts training a claimed run from its own checkpoint (step and epoch), or from scratch (0, 0).</summary>
public sealed record RunStartRequest(long ResumedStep, int ResumedEpoch);

/// <param name="StoredSeq">The run's last stored sequence: the child numbers its events from the next.</param>
public sealed record RunStartAnswer(long RunId, long StoredSeq);

/// <summary>A run's events in sequence order; events already stored are skipped, so a resent batch is a no-op.</summary>
public sealed record WorkerEventBatch(IReadOnlyList<TrainingEvent>? Events);

/// <param name="AckedSeq">Every event of the run up to this sequence is stored; the worker may forget them.</param>
/// <param name="Stored">How many events of the batch were stored now (the rest were stored before).</param>
public sealed record EventsAck(long RunId, long AckedSeq, int Stored);

/// <summary>A run's final checkpoint, stored on the server from a worker's upload.</summary>
public sealed record CheckpointStored(long RunId, long Bytes, string Sha256);

/// <param name="CancelRequested">Someone cancelled the run: stop it and complete it.</param>
public sealed record RunHeartbeatAnswer(long RunId, bool CancelRequested);

/// <summary>Gives a run back to the queue without finishing it (the worker stops, or was told to); it resumes from its last checkpoint.</summary>
public sealed record ReleaseRequest(string? Reason);

/// <param name="Finished">How the run ended, as the child process reported it or as the worker saw it.</param>
/// <param name="Crashed">The child ended without a finished event of its own: the server retries the run or fails it.</param>
public sealed record CompleteRequest(RunFinishedEvent? Finished, bool Crashed = false);

/// <param name="Requeued">The run went back to the queue to be retried from its last checkpoint (a crash within the retry budget).</param>
public sealed record CompleteAnswer(long RunId, string Status, bool Requeued);
