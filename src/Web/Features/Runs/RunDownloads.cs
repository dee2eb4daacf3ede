using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tracker.Web.Data;
using Tracker.Web.Extensions;
using Tracker.Web.Jobs;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// A run's files to download from its page: its final checkpoint and every metric point as a JSON file (the CSV is
/// GET /api/runs/{id}/metrics?format=csv). Both are streamed: a million points are written as they are read.
/// </summary>
public static class RunDownloads
{
    /// <summary>Once this many bytes wait in the JSON writer, they go out; the response never holds the whole series.</summary>
    private const int FlushBytes = 64 * 1024;

    public static RouteGroupBuilder MapRunDownloads(this RouteGroupBuilder api)
    {
        var runs = api.MapGroup("/runs").WithTags("Runs");
        runs.MapGet("/{id:long}/checkpoint", CheckpointAsync).WithName("GetRunCheckpoint")
            .WithSummary("A run's final checkpoint")
            .WithDescription("The weights the run saved last (the queue's checkpoint file, which a fine-tune starts from), as an attachment "
                + "run-{id}-checkpoint.bin. 404 for an unknown run or one without a checkpoint (logged by a script, or failed before its "
                + "first epoch ended); 409 while it is queued or running, when the file is still rewritten every epoch.")
            .ProducesContent("application/octet-stream", "The checkpoint file's bytes.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapGet("/{id:long}/metrics.json", MetricsJsonAsync).WithName("DownloadRunMetrics")
            .WithSummary("Every metric point of a run, as a JSON file")
            .WithDescription("The shape of GET /api/runs/{id}/metrics (runId, then a series per key with its points by step), every point, "
                + "written while it is read and sent as the attachment run-{id}-metrics.json. 404 for an unknown run.")
            .Produces<RunMetrics>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> CheckpointAsync(
        long id, TrackerDbContext context, RunCheckpoints checkpoints, CancellationToken cancellationToken)
    {
        if (await RunQueries.StatusAsync(context, id, cancellationToken) is not { } status) return RunsEndpoints.NoSuchRun(id);
        if (status.IsActive())
            return TypedResults.Problem(title: "The run has not finished.",
                detail: $"Run {id} is {status.ToString().ToLowerInvariant()}; its final checkpoint can be downloaded once it has finished.",
                statusCode: StatusCodes.Status409Conflict);
        var path = checkpoints.PathOf(id);
        return File.Exists(path)
            ? TypedResults.PhysicalFile(path, "application/octet-stream", $"run-{id}-checkpoint.bin", enableRangeProcessing: true)
            : TypedResults.Problem(title: "No checkpoint.", detail: $"Run {id} has no checkpoint file.", statusCode: StatusCodes.Status404NotFound);
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> MetricsJsonAsync(
        long id, HttpContext http, TrackerDbContext context, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken cancellationToken)
    {
        if (!await context.Runs.AnyAsync(r => r.Id == id, cancellationToken)) return RunsEndpoints.NoSuchRun(id);
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"run-{id}-metrics.json\"";
        await WriteJsonAsync(context, id, http.Response.BodyWriter, json.Value.SerializerOptions, cancellationToken);
        return TypedResults.Empty;
    }

    /// <summary>Writes <see cref="RunMetrics"/> of every point, one point at a time in the key-then-step order they are read in.</summary>
    public static async Task WriteJsonAsync(TrackerDbContext context, long runId, PipeWriter body, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Written into the response's pipe, never to its stream: the serializer's own flush would be a synchronous write.
        long flushed = 0;
        string Name(string property) => options.PropertyNamingPolicy?.ConvertName(property) ?? property;
        await using var writer = new Utf8JsonWriter(body);
        writer.WriteStartObject();
        writer.WriteNumber(Name(nameof(RunMetrics.RunId)), runId);
        writer.WriteStartArray(Name(nameof(RunMetrics.Series)));
        string? key = null;
        await foreach (var point in MetricQueries.Points(context, runId, keys: null).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (point.Key != key)
            {
                if (key is not null) EndSeries(writer);
                writer.WriteStartObject();
                writer.WriteString(Name(nameof(MetricSeries.Key)), point.Key);
                writer.WriteStartArray(Name(nameof(MetricSeries.Points)));
                key = point.Key;
            }
            // The API's own options, so a NaN or an infinity is written as GET /metrics writes it.
            JsonSerializer.Serialize(writer, new MetricPointDto(point.Step, point.Epoch, point.Value, point.Time), options);
            if (writer.BytesCommitted + writer.BytesPending - flushed >= FlushBytes)
            {
                writer.Flush();
                await body.FlushAsync(cancellationToken);
                flushed = writer.BytesCommitted;
            }
        }
        if (key is not null) EndSeries(writer);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        await body.FlushAsync(cancellationToken);
    }

    private static void EndSeries(Utf8JsonWriter writer)
    {
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
