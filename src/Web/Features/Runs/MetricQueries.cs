using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs;

/// <summary>The points of one run, by key then step, as JSON series or as CSV.</summary>
public static class MetricQueries
{
    public const string CsvHeader = "run_id,key,step,epoch,value,time";

    /// <summary>The most points per key a caller may ask for: past it a chart gains nothing and a reply grows large.</summary>
    public const int MaxPointsLimit = 100_000;

    /// <summary>What a chart asks for per line: about one point per pixel of a wide chart.</summary>
    public const int ChartPoints = 2_000;

    /// <summary>Null when <paramref name="maxPoints"/> is a usable point budget, else the sentence a 400 says.</summary>
    public static string? CheckMaxPoints(string maxPoints) =>
        int.TryParse(maxPoints, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) && parsed is >= MetricDownsampling.MinimumPoints and <= MaxPointsLimit
            ? null
            : $"maxPoints must be a whole number from {MetricDownsampling.MinimumPoints} to {MaxPointsLimit}; '{maxPoints}' was given.";

    /// <summary>
    /// Null when the step window <paramref name="from"/>..<paramref name="to"/> (either may be left out) is usable, else the
    /// field at fault and the sentence a 400 says. A window needs a point budget: it is how a zoomed chart asks for detail.
    /// </summary>
    public static (string Field, string Problem)? CheckStepRange(string? from, string? to, bool hasMaxPoints)
    {
        foreach (var (field, text) in new[] { ("from", from), ("to", to) })
            if (text is not null && ParseStep(text) is null)
                return (field, $"{field} must be a whole number of steps from 0; '{text}' was given.");
        if (ParseStep(from) is { } first && ParseStep(to) is { } last && first > last)
            return ("to", $"to must not be below from; from={first}, to={last} were given.");
        if ((from is not null || to is not null) && !hasMaxPoints)
            return ("maxPoints", "A step window (from, to) is read downsampled: give maxPoints too.");
        return null;
    }

    /// <summary>A step from 0 up, or null when <paramref name="text"/> is missing or not one.</summary>
    public static long? ParseStep(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var step) ? step : null;

    /// <summary>"a,b" -> ["a", "b"]; null or blank -> null, meaning every key.</summary>
    public static IReadOnlyList<string>? ParseKeys(string? keys)
    {
        var parsed = (keys ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        return parsed.Count == 0 ? null : parsed;
    }

    public static IQueryable<MetricPoint> Points(TrackerDbContext context, long runId, IReadOnlyList<string>? keys)
    {
        var points = context.MetricPoints.AsNoTracking().Where(p => p.RunId == runId);
        if (keys is not null) points = points.Where(p => keys.Contains(p.Key));
        return points.OrderBy(p => p.Key).ThenBy(p => p.Step).ThenBy(p => p.Id);
    }

    public static async Task<RunMetrics> SeriesAsync(TrackerDbContext context, long runId, IReadOnlyList<string>? keys, CancellationToken cancellationToken)
    {
        var points = await Points(context, runId, keys).ToListAsync(cancellationToken);
        var series = points.GroupBy(p => p.Key)
            .Select(g => new MetricSeries(g.Key, g.Select(p => new MetricPointDto(p.Step, p.Epoch, p.Value, p.Time)).ToList()))
            .ToList();
        return new RunMetrics(runId, series);
    }

    /// <summary>
    /// At most <paramref name="maxPoints"/> points per key, chosen by <see cref="MetricDownsampling"/> (first, last, and each
    /// bucket's lowest and highest). A line of more than <see cref="RollupReads.RawReadLimit"/> points in the range is
    /// read from its stored buckets (<see cref="RollupReads"/>). A shorter one has every point read, through a plain data
    /// reader rather than EF's materializer (a million rows of entities took seconds), and without the time column, whose
    /// text dates cost SQLite most per row; the times of the kept points are read afterwards by id.
    /// </summary>
    /// <param name="from">The first step to read (null: from the start); with <paramref name="to"/>, a zoomed chart's window.</param>
    /// <param name="to">The last step to read (null: to the end).</param>
    public static async Task<RunMetrics> DownsampledSeriesAsync(TrackerDbContext context, long runId, IReadOnlyList<string>? keys, int maxPoints,
        CancellationToken cancellationToken, long? from = null, long? to = null)
    {
        if (maxPoints is < MetricDownsampling.MinimumPoints or > MaxPointsLimit)
            throw new ArgumentOutOfRangeException(nameof(maxPoints), maxPoints, CheckMaxPoints(maxPoints.ToString(CultureInfo.InvariantCulture)));
        var kept = new List<(string Key, List<(long Id, long Step, int Epoch, double Value)> Points)>();
        var connection = context.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await connection.OpenAsync(cancellationToken);
        try
        {
            // Every key the run recorded (its summaries) when none are named.
            var shownKeys = keys ?? await context.RunSummaries.AsNoTracking().Where(s => s.RunId == runId).Select(s => s.Key)
                .Distinct().ToListAsync(cancellationToken);
            // Lines too long to read point by point come from their stored buckets; the rest are read below.
            var fromBuckets = await RollupReads.ReadAsync(context, [runId], shownKeys, maxPoints, from, to, cancellationToken);
            var allKeys = shownKeys;
            shownKeys = [.. shownKeys.Where(key => !fromBuckets.ContainsKey((runId, key)))];
            if (shownKeys.Count > 0)
            {
                await using var command = connection.CreateCommand();
                var run = command.AddParameter("run", runId);
                var keyParameters = shownKeys.Select((key, i) => command.AddParameter($"k{i}", key)).ToList();
                var range = (from is { } first ? $" AND \"Step\" >= {command.AddParameter("from", first)}" : "")
                    + (to is { } last ? $" AND \"Step\" <= {command.AddParameter("to", last)}" : "");
                // The key comes back as its index in shownKeys: an integer per row instead of a string to decode and allocate.
                command.CommandText = $"""
                    SELECT "Id", CASE "Key" {string.Join(' ', keyParameters.Select((parameter, i) => $"WHEN {parameter} THEN {i}"))} END,
                           "Step", "Epoch", "Value" FROM "MetricPoints"
                    WHERE "RunId" = {run} AND "Key" IN ({string.Join(", ", keyParameters)}){range}
                    ORDER BY "Key", "Step", "Id"
                    """;
                var buffer = new KeyBuffer();
                var currentKey = -1;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                // Read, not ReadAsync: a million rows each awaiting a completed task cost more than the rows themselves.
                while (reader.Read())
                {
                    var key = reader.GetInt32(1);
                    if (key != currentKey)
                    {
                        if (currentKey >= 0) kept.Add((shownKeys[currentKey], buffer.Downsample(maxPoints)));
                        currentKey = key;
                        buffer.Clear();
                    }
                    buffer.Add(reader.GetInt64(0), reader.GetInt64(2), reader.GetInt32(3), reader.GetDouble(4));
                }
                if (currentKey >= 0) kept.Add((shownKeys[currentKey], buffer.Downsample(maxPoints)));
                cancellationToken.ThrowIfCancellationRequested();
            }
            var times = await TimesAsync(connection, kept.SelectMany(k => k.Points.Select(p => p.Id)).ToList(), cancellationToken);
            var series = kept.Select(k => new MetricSeries(k.Key,
                k.Points.Select(p => new MetricPointDto(p.Step, p.Epoch, p.Value, times[p.Id])).ToList())).ToList();
            series.AddRange(fromBuckets.Select(line => new MetricSeries(line.Key.Key,
                line.Value.Select(p => new MetricPointDto(p.Step, p.Epoch, p.Value, p.Time)).ToList())));
            // In the order of the keys as the point read sorts them (by key), whichever way each line was read.
            var order = allKeys.Order(StringComparer.Ordinal).ToList();
            return new RunMetrics(runId, [.. series.OrderBy(line => order.IndexOf(line.Key))]);
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
    }

    /// <summary>One key's points as they are read, in step order, reused from key to key.</summary>
    private sealed class KeyBuffer
    {
        private readonly List<long> _ids = [];
        private readonly List<int> _epochs = [];
        private readonly List<SeriesPoint> _points = [];

        public void Add(long id, long step, int epoch, double value)
        {
            _ids.Add(id);
            _epochs.Add(epoch);
            _points.Add(new SeriesPoint(step, value));
        }

        public void Clear()
        {
            _ids.Clear();
            _epochs.Clear();
            _points.Clear();
        }

        public List<(long Id, long Step, int Epoch, double Value)> Downsample(int maxPoints) =>
            KeptIndices(_points, MetricDownsampling.Downsample(_points, maxPoints))
                .Select(i => (_ids[i], _points[i].Step, _epochs[i], _points[i].Value)).ToList();
    }

    /// <summary>
    /// Where each kept point sits in <paramref name="points"/>: both are in the same order, so one forward walk finds
    /// them (equal step and value; NaN equals NaN here, as record equality has it).
    /// </summary>
    public static List<int> KeptIndices(IReadOnlyList<SeriesPoint> points, IReadOnlyList<SeriesPoint> kept)
    {
        var indices = new List<int>(kept.Count);
        var next = 0;
        foreach (var point in kept)
        {
            while (!points[next].Equals(point)) next++;
            indices.Add(next++);
        }
        return indices;
    }

    // Small batches: well under every provider's limit on parameters, and each is a primary-key lookup.
    private const int TimeBatch = 500;

    private static async Task<Dictionary<long, DateTime>> TimesAsync(DbConnection connection, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        var times = new Dictionary<long, DateTime>(ids.Count);
        foreach (var batch in ids.Chunk(TimeBatch))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"""SELECT "Id", "Time" FROM "MetricPoints" WHERE "Id" IN ({string.Join(", ", batch.Select((id, i) => command.AddParameter($"i{i}", id)))})""";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                times[reader.GetInt64(0)] = DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc);
        }
        return times;
    }


    /// <summary>Writes the points as RFC 4180 CSV (CRLF line ends, invariant numbers, ISO 8601 UTC times), row by row.</summary>
    public static async Task WriteCsvAsync(TrackerDbContext context, long runId, IReadOnlyList<string>? keys, TextWriter writer, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(CsvHeader + "\r\n");
        await foreach (var point in Points(context, runId, keys).AsAsyncEnumerable().WithCancellation(cancellationToken))
            await writer.WriteAsync(CsvRow(point));
    }

    public static string CsvRow(MetricPoint point) => string.Join(',',
        point.RunId.ToString(CultureInfo.InvariantCulture),
        CsvField(point.Key),
        point.Step.ToString(CultureInfo.InvariantCulture),
        point.Epoch.ToString(CultureInfo.InvariantCulture),
        point.Value.ToString("R", CultureInfo.InvariantCulture),
        point.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)) + "\r\n";

    /// <summary>Quotes a field holding a comma, quote or line break, doubling its quotes (RFC 4180).</summary>
    public static string CsvField(string value)
    {
        if (value.IndexOfAny([',', '"', '\r', '\n']) < 0) return value;
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value) quoted.Append(c == '"' ? "\"\"" : c.ToString());
        return quoted.Append('"').ToString();
    }
}
