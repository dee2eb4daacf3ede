using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Ingest;

/// <summary>The body of <c>POST /api/runs/external</c>: a run a script logs itself.</summary>
/// <param name="Name">The run's name (required).</param>
/// <param name="Project">Its project (default "default"; made on first use).</param>
/// <param name="Tags">Tags; <c>paper:&lt;table&gt;</c> puts a finished run in that paper table.</param>
/// <param name="Config">Any JSON object; the known run config fields in it fill the columns filters read.</param>
/// <param name="ClientKey">A key the client chose for this run (at most 64 characters; the Python client sends a uuid4):
/// a second create with the same key by the same user returns that run (200) instead of making another, so a retry
/// after a lost answer is safe; the same key with another name, project or config is a 409.</param>
public sealed record ScriptRunRequest(string? Name, string? Project = null, IReadOnlyList<string>? Tags = null, JsonObject? Config = null,
    string? ClientKey = null);

/// <summary>
/// A script run made (201), or the run its client key already named (200): its id, its page, its status, and the
/// sequence its next batch of points takes (1 for a new run).
/// </summary>
public sealed record CreatedScriptRun(long Id, string Url, RunStatus Status, long NextSeq);

/// <summary>The body of <c>POST /api/runs/{id}/points</c>: one batch, numbered by the client 1, 2, 3...</summary>
public sealed record PointsBatch(long Seq, IReadOnlyList<PointInput>? Points);

/// <summary>One point of a batch; <paramref name="Time"/> defaults to when the batch arrived.</summary>
public sealed record PointInput(string? Key, long Step, double Value, int? Epoch = null, DateTimeOffset? Time = null);

/// <summary>What a batch did: every batch up to <paramref name="AckedSeq"/> is stored; <paramref name="Duplicate"/> when this one already was.</summary>
public sealed record BatchAck(long RunId, long AckedSeq, bool Duplicate);

/// <summary>The body of <c>POST /api/runs/{id}/finish</c>.</summary>
/// <param name="Status">succeeded (default), failed, cancelled or diverged.</param>
/// <param name="Error">Why it failed, shown on the run page.</param>
public sealed record FinishRequest(string? Status = null, string? Error = null);

/// <summary>A finished script run.</summary>
public sealed record FinishedScriptRun(long Id, RunStatus Status, long AckedSeq);

/// <summary>A file stored with a run.</summary>
public sealed record RunFile(string Name, long Bytes);

/// <summary>Limits of the ingest API. Bound from the "Ingest" section and checked at boot.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>The largest file a script may attach to a run.</summary>
    [Range(1, 1L << 32)]
    public long MaxFileBytes { get; set; } = 10 << 20;

    /// <summary>The most points one batch may carry; the Python client sends at most 10,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxPointsPerBatch { get; set; } = 50_000;

    /// <summary>The largest batch body.</summary>
    [Range(1024, 1L << 30)]
    public long MaxBatchBytes { get; set; } = 16 << 20;
}
