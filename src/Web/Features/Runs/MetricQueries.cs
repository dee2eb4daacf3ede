using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs;

/// <summary>The points of one run, by key then step, as JSON series or as CSV.</summary>
public static class MetricQueries
{
    public const string CsvHeader = "run_id,key,step,epoch,value,time";

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
