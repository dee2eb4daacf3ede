using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs;

namespace Tracker.Web.Features.Compare;

/// <summary>
/// The reads behind a comparison: the runs, the keys they recorded (from the summaries), and every point of the shown
/// metrics of all the runs in one query, however many runs and metrics.
/// </summary>
public static class CompareQueries
{
    /// <summary>A comparison reads at most this many runs; more would not fit a chart's legend or a diff table.</summary>
    public const int MaxRuns = 200;

    /// <param name="maxPointsPerLine">
    /// Null reads every point (the CSV); otherwise each run's line of each key keeps at most this many, chosen by
    /// <see cref="MetricDownsampling"/>. Its first, last, lowest and highest points survive, so finals, bests and the
    /// verdicts built on them are exact; on the epoch axis a downsampled line shows the last kept point of each epoch.
    /// </param>
    /// <param name="steps">Only the points of this step window (both ends included): a zoomed chart's detail.</param>
    public static async Task<CompareResult> LoadAsync(TrackerDbContext context, CompareState state, CancellationToken cancellationToken,
        int? maxPointsPerLine = null, StepWindow? steps = null)
    {
        var ids = state.Runs.Take(MaxRuns).ToList();
        if (state.Runs.Count > MaxRuns)
            state = state with { Runs = ids, Problems = [.. state.Problems, $"Only the first {MaxRuns} of {state.Runs.Count} runs are compared."] };
        var runs = await RunsAsync(context, ids, cancellationToken);
        var found = runs.Select(r => r.Id).ToList();
        var available = await context.RunSummaries.AsNoTracking().Where(s => found.Contains(s.RunId))
            .Select(s => s.Key).Distinct().OrderBy(k => k).ToListAsync(cancellationToken);
        var points = await PointsAsync(context, found, state.ShownMetrics, cancellationToken, withTime: state.XAxis == CompareXAxis.Time,
            maxPointsPerLine: maxPointsPerLine, steps: steps);
        return CompareBuilder.Build(state, runs, points, available);
    }

    public static async Task<List<ComparedRun>> RunsAsync(TrackerDbContext context, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        var rows = await context.Runs.AsNoTracking().Where(r => ids.Contains(r.Id))
            .Select(r => new { r.Id, r.Name, r.Method, r.Status, r.StartedAt, r.Config })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new ComparedRun(r.Id, r.Name, r.Method, r.Status, r.StartedAt, ConfigFields.Flatten(r.Config), r.Config.Seed)).ToList();
    }

    /// <summary>
    /// All points of <paramref name="keys"/> of the runs, ordered by run, key, step and insertion: one query. Read with a
    /// plain data reader rather than EF's materializer, which made up most of the page's time at 100k points; the time
    /// column is read only when asked for, since parsing SQLite's text dates is the costliest part of a row.
    /// </summary>
    public static async Task<List<RawPoint>> PointsAsync(
        TrackerDbContext context, IReadOnlyList<long> runIds, IReadOnlyList<string> keys, CancellationToken cancellationToken, bool withTime = true,
        int? maxPointsPerLine = null, StepWindow? steps = null)
    {
        var points = new List<RawPoint>();
        if (runIds.Count == 0 || keys.Count == 0) return points;
        var connection = context.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await connection.OpenAsync(cancellationToken);
        try
        {
            if (maxPointsPerLine is { } max)
            {
                // Lines too long to read point by point come from their stored buckets; the rest, run by run, below.
                var fromBuckets = await RollupReads.ReadAsync(context, runIds, keys, max, steps?.From, steps?.To, cancellationToken);
                foreach (var ((runId, key), line) in fromBuckets)
                    points.AddRange(line.Select(p => new RawPoint(runId, key, p.Step, p.Epoch, p.Value, withTime ? p.Time : default)));
                if (fromBuckets.Count > 0)
                {
                    foreach (var runId in runIds)
                    {
                        var shortKeys = keys.Where(key => !fromBuckets.ContainsKey((runId, key))).ToList();
                        if (shortKeys.Count > 0) await ReadPointsAsync(connection, [runId], shortKeys, points, withTime, max, steps, cancellationToken);
                    }
                    return points;
                }
            }
            await ReadPointsAsync(connection, runIds, keys, points, withTime, maxPointsPerLine, steps, cancellationToken);
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
        return points;
    }

    /// <summary>Every point of the lines, one query, each line downsampled as it completes.</summary>
    private static async Task ReadPointsAsync(DbConnection connection, IReadOnlyList<long> runIds, IReadOnlyList<string> keys, List<RawPoint> points,
        bool withTime, int? maxPointsPerLine, StepWindow? steps, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var runParameters = runIds.Select((id, i) => command.AddParameter($"r{i}", id)).ToList();
        var keyParameters = keys.Select((key, i) => command.AddParameter($"k{i}", key)).ToList();
        var window = steps is { } w ? $" AND \"Step\" BETWEEN {command.AddParameter("from", w.From)} AND {command.AddParameter("to", w.To)}" : "";
        command.CommandText = $"""
            SELECT "RunId", CASE "Key" {string.Join(' ', keyParameters.Select((parameter, i) => $"WHEN {parameter} THEN {i}"))} END,
                   "Step", "Epoch", "Value"{(withTime ? ", \"Time\"" : "")} FROM "MetricPoints"
            WHERE "RunId" IN ({string.Join(", ", runParameters)}) AND "Key" IN ({string.Join(", ", keyParameters)}){window}
            ORDER BY "RunId", "Key", "Step", "Id"
            """;
        // The key comes back as its index in keys: no string decoded and allocated per row.
        // One run's line of one key at a time, so at most one line is ever held whole.
        var line = new List<RawPoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        // Read, not ReadAsync: millions of rows each awaiting a completed task cost more than the rows themselves.
        while (reader.Read())
        {
            var runId = reader.GetInt64(0);
            var key = keys[reader.GetInt32(1)];
            if (line.Count > 0 && (line[^1].RunId != runId || !ReferenceEquals(line[^1].Key, key)))
            {
                AddLine(points, line, maxPointsPerLine);
                line.Clear();
            }
            var time = withTime ? DateTime.SpecifyKind(reader.GetDateTime(5), DateTimeKind.Utc) : default;
            line.Add(new RawPoint(runId, key, reader.GetInt64(2), reader.GetInt32(3), reader.GetDouble(4), time));
        }
        AddLine(points, line, maxPointsPerLine);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static void AddLine(List<RawPoint> points, List<RawPoint> line, int? maxPoints)
    {
        if (maxPoints is not { } max || line.Count <= max)
        {
            points.AddRange(line);
            return;
        }
        var shape = line.ConvertAll(p => new SeriesPoint(p.Step, p.Value));
        foreach (var index in MetricQueries.KeptIndices(shape, MetricDownsampling.Downsample(shape, max))) points.Add(line[index]);
    }
}

/// <summary>A range of steps, both ends included: what a zoomed step chart shows.</summary>
public sealed record StepWindow(long From, long To);
