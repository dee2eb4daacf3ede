using System.Text.Json;
using System.Text.Json.Serialization;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs;

/// <summary>What POST /api/runs answers: the new run, where the UI shows it, and its status.</summary>
public sealed record SubmittedRun(long Id, string Url, RunStatus Status);

/// <summary>What PATCH /api/runs/{id} changes: a new name, archived or not; a field left out stays as it is.</summary>
public sealed record RunChange(string? Name = null, bool? Archived = null);

/// <summary>One run in a list; the best values come from <see cref="RunSummary"/> rows, never from metric points.</summary>
public sealed record RunListItem(
    long Id, string Name, string Project, string Model, string Dataset, string Method, RunStatus Status, IReadOnlyList<string> Tags,
    double Progress, int EpochsCompleted, int Epochs, DateTime Created, DateTime? Started, DateTime? Finished,
    [property: NonFiniteNumber] double? BestValAcc, [property: NonFiniteNumber] double? BestValLoss, string? Owner = null, bool LoggedByScript = false,
    DateTime? Archived = null, int? Seed = null);

/// <summary>One page of runs and how many match in all.</summary>
public sealed record RunPage(IReadOnlyList<RunListItem> Items, int Total, int Page, int PageSize);

/// <summary>
/// One run in full: its config (written as the run config JSON, so it can be posted back unchanged), how it went, and a
/// summary per metric key. A run logged by a script also has the config the script sent (<c>scriptConfig</c>), and
/// <c>notQueueable</c> says why it cannot be retried or cloned into the queue (null when it can). The page reads the typed config as the database gave it; only the API writes it as JSON.
/// </summary>
public sealed record RunDetail(
    long Id, string Name, string Project, string Method, RunStatus Status, string? Owner, IReadOnlyList<string> Tags,
    [property: JsonConverter(typeof(RunConfigJsonConverter))] RunConfig Config, double Progress, int EpochsCompleted, DateTime Created, DateTime? Started, DateTime? Finished,
    string? Error, string? Notes, long? ParentRunId, IReadOnlyDictionary<string, MetricSummary> Summaries,
    bool LoggedByScript = false, System.Text.Json.Nodes.JsonObject? ScriptConfig = null, string? NotQueueable = null,
    DateTime? Archived = null);

/// <summary>One recorded value.</summary>
public sealed record MetricPointDto(long Step, int Epoch, [property: NonFiniteNumber] double Value, DateTime Time);

/// <summary>The points of one metric key, by step.</summary>
public sealed record MetricSeries(string Key, IReadOnlyList<MetricPointDto> Points);

/// <summary>The points of a run, one series per key, keys in order.</summary>
public sealed record RunMetrics(long RunId, IReadOnlyList<MetricSeries> Series);

/// <summary>What a cancel request did.</summary>
public sealed record CancelledRun(long Id, RunStatus Status, bool StopRequested);

/// <summary>Writes and reads a run config with <see cref="RunConfigJson"/>'s options (enum names, nulls left out), whatever options the API uses.</summary>
public sealed class RunConfigJsonConverter : JsonConverter<RunConfig>
{
    public override RunConfig? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<RunConfig>(ref reader, RunConfigJson.Options);

    public override void Write(Utf8JsonWriter writer, RunConfig value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, RunConfigJson.Options);
}
