using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// Downsampled reads of long lines from <see cref="MetricRollup"/> buckets instead of every point (docs/decisions/0035):
/// a line of a million points costs about a thousand bucket rows. Lines (or zoomed ranges) of at most
/// <see cref="RawReadLimit"/> points are left to the callers' point-by-point read, which keeps the exact
/// <see cref="MetricDownsampling"/> choice.
/// </summary>
public static class RollupReads
{
    /// <summary>Up to this many points in the asked-for range, reading them all is cheap enough (a few tens of ms).</summary>
    public const long RawReadLimit = 50_000;

    /// <summary>
    /// The lines of <paramref name="keys"/> of <paramref name="runIds"/> that have more than <see cref="RawReadLimit"/>
    /// points in steps [<paramref name="from"/>, <paramref name="to"/>] (either end open when null), each downsampled to at
    /// most <paramref name="maxPoints"/> points. Lines left out are the caller's to read point by point.
    /// </summary>
    public static async Task<Dictionary<(long RunId, string Key), List<StoredPoint>>> ReadAsync(TrackerDbContext context,
        IReadOnlyList<long> runIds, IReadOnlyList<string> keys, int maxPoints, long? from, long? to, CancellationToken cancellationToken)
    {
        var lines = new Dictionary<(long RunId, string Key), List<StoredPoint>>();
        if (runIds.Count == 0 || keys.Count == 0) return lines;
        var connection = context.Database.GetDbConnection();
        var groups = (maxPoints - 2) / 2;
        await BuildMissingAsync(context, runIds, keys, cancellationToken);
        var plans = await PlanAsync(connection, runIds, keys, from, to, cancellationToken);
        foreach (var ((runId, key), spans) in plans)
        {
            var finest = MetricRollups.Spans[^1];
            if (spans.GetValueOrDefault(finest).Points <= RawReadLimit) continue;
            // The coarsest span that still fills the budget; the finest when none does.
            var span = MetricRollups.Spans.FirstOrDefault(s => spans.GetValueOrDefault(s).Buckets >= groups, finest);
            var (first, last) = FullBuckets(span, from, to);
            var buckets = new List<MetricRollup>();
            // A range that starts or ends inside a bucket: that part is read point by point and folded like a bucket.
            if (from is { } start && start < first * span)
                buckets.AddRange(await EdgeAsync(connection, runId, key, span, start, first * span - 1, cancellationToken));
            buckets.AddRange(await BucketsAsync(connection, runId, key, span, first, last, cancellationToken));
            if (to is { } end && end >= (last + 1) * span)
                buckets.AddRange(await EdgeAsync(connection, runId, key, span, (last + 1) * span, end, cancellationToken));
            lines[(runId, key)] = RollupDownsampling.Downsample(buckets, maxPoints);
        }
        return lines;
    }

    /// <summary>
    /// Lines recorded before buckets existed (long ones, per their summaries, with no bucket at all) get theirs now, once:
    /// this read pays the full scan every read used to, and later ones do not.
    /// </summary>
    private static async Task BuildMissingAsync(TrackerDbContext context, IReadOnlyList<long> runIds, IReadOnlyList<string> keys,
        CancellationToken cancellationToken)
    {
        var longLines = await context.RunSummaries.AsNoTracking()
            .Where(s => runIds.Contains(s.RunId) && keys.Contains(s.Key) && s.Count > RawReadLimit)
            .Where(s => !context.MetricRollups.Any(r => r.RunId == s.RunId && r.Key == s.Key))
            .Select(s => new { s.RunId, s.Key }).ToListAsync(cancellationToken);
        foreach (var line in longLines) await MetricWriter.BuildRollupsAsync(context, line.RunId, line.Key, fromStep: 0, cancellationToken);
    }

    /// <summary>The buckets wholly inside [from, to] at <paramref name="span"/>: steps are never negative.</summary>
    private static (long First, long Last) FullBuckets(int span, long? from, long? to) =>
        (from is { } start ? (start + span - 1) / span : 0, to is { } end ? (end + 1) / span - 1 : long.MaxValue);

    /// <summary>Per line and span: how many whole buckets lie in the range and how many points they hold.</summary>
    private static async Task<Dictionary<(long RunId, string Key), Dictionary<int, (long Buckets, long Points)>>> PlanAsync(
        DbConnection connection, IReadOnlyList<long> runIds, IReadOnlyList<string> keys, long? from, long? to, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var runParameters = runIds.Select((id, i) => command.AddParameter($"r{i}", id)).ToList();
        var keyParameters = keys.Select((key, i) => command.AddParameter($"k{i}", key)).ToList();
        var ranges = MetricRollups.Spans.Select((span, i) =>
        {
            var (first, last) = FullBuckets(span, from, to);
            return $"(\"Span\" = {span} AND \"Bucket\" BETWEEN {command.AddParameter($"f{i}", first)} AND {command.AddParameter($"l{i}", last)})";
        });
        command.CommandText = $"""
            SELECT "RunId", "Key", "Span", COUNT(*), SUM("Count") FROM "MetricRollups"
            WHERE "RunId" IN ({string.Join(", ", runParameters)}) AND "Key" IN ({string.Join(", ", keyParameters)})
              AND ({string.Join(" OR ", ranges)})
            GROUP BY "RunId", "Key", "Span"
            """;
        var plans = new Dictionary<(long RunId, string Key), Dictionary<int, (long Buckets, long Points)>>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var line = (reader.GetInt64(0), keys.First(k => k == reader.GetString(1)));
            if (!plans.TryGetValue(line, out var spans)) plans[line] = spans = [];
            spans[reader.GetInt32(2)] = (reader.GetInt64(3), reader.GetInt64(4));
        }
        return plans;
    }

    private static async Task<List<MetricRollup>> BucketsAsync(DbConnection connection, long runId, string key, int span, long first, long last,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {string.Join(", ", MetricRollups.Columns.Skip(3).Select(c => $"\"{c}\""))} FROM "MetricRollups"
            WHERE "RunId" = {command.AddParameter("run", runId)} AND "Key" = {command.AddParameter("key", key)}
              AND "Span" = {command.AddParameter("span", span)}
              AND "Bucket" BETWEEN {command.AddParameter("first", first)} AND {command.AddParameter("last", last)}
            ORDER BY "Bucket"
            """;
        var buckets = new List<MetricRollup>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        // Read, not ReadAsync: thousands of rows each awaiting a completed task (see MetricQueries).
        while (reader.Read())
        {
            DateTime Time(int column) => DateTime.SpecifyKind(reader.GetDateTime(column), DateTimeKind.Utc);
            buckets.Add(new MetricRollup
            {
                RunId = runId, Key = key, Span = span, Bucket = reader.GetInt64(0), Count = reader.GetInt64(1),
                FirstStep = reader.GetInt64(2), FirstEpoch = reader.GetInt32(3), FirstValue = reader.GetDouble(4), FirstTime = Time(5),
                LastStep = reader.GetInt64(6), LastEpoch = reader.GetInt32(7), LastValue = reader.GetDouble(8), LastTime = Time(9),
                MinStep = reader.GetInt64(10), MinEpoch = reader.GetInt32(11), MinValue = reader.GetDouble(12), MinTime = Time(13),
                MaxStep = reader.GetInt64(14), MaxEpoch = reader.GetInt32(15), MaxValue = reader.GetDouble(16), MaxTime = Time(17),
            });
        }
        return buckets;
    }

    /// <summary>The points of steps [from, to] (inside one bucket of <paramref name="span"/>) folded into that bucket.</summary>
    private static async Task<List<MetricRollup>> EdgeAsync(DbConnection connection, long runId, string key, int span, long from, long to,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT "Step", "Epoch", "Value", "Time" FROM "MetricPoints"
            WHERE "RunId" = {command.AddParameter("run", runId)} AND "Key" = {command.AddParameter("key", key)}
              AND "Step" BETWEEN {command.AddParameter("from", from)} AND {command.AddParameter("to", to)}
            ORDER BY "Step", "Id"
            """;
        var points = new List<MetricPoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            points.Add(new MetricPoint
            {
                RunId = runId, Key = key, Step = reader.GetInt64(0), Epoch = reader.GetInt32(1), Value = reader.GetDouble(2),
                Time = DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc),
            });
        return MetricRollups.Fold(points).Where(r => r.Span == span).ToList();
    }
}
