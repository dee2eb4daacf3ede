namespace Tracker.Web.Data;

/// <summary>One stored point as a chart needs it.</summary>
public readonly record struct StoredPoint(long Step, int Epoch, double Value, DateTime Time);

/// <summary>
/// The rules of <see cref="MetricRollup"/>: which spans exist, how points fold into a bucket (in memory, for a batch or
/// for the raw edges of a zoomed read), how a batch's buckets merge into the stored ones (SQL), and how the stored
/// buckets are rebuilt from the points (SQL, for the migration's backfill and after a truncation). The three agree on
/// every tie, so a rebuild gives the same rows as the writes did (a test compares them).
/// </summary>
public static class MetricRollups
{
    /// <summary>Steps per bucket, coarsest first: a read takes the coarsest span that still fills its point budget.</summary>
    public static readonly IReadOnlyList<int> Spans = [1_000, 100];

    /// <summary>
    /// <paramref name="points"/> (in the order they were written) folded into one bucket per run, key, span and bucket,
    /// as if they were the whole history.
    /// </summary>
    public static List<MetricRollup> Fold(IEnumerable<MetricPoint> points)
    {
        var buckets = new Dictionary<(long RunId, string Key, int Span, long Bucket), MetricRollup>();
        foreach (var point in points)
            foreach (var span in Spans)
            {
                var id = (point.RunId, point.Key, span, point.Step / span);
                if (buckets.TryGetValue(id, out var rollup)) Add(rollup, point);
                else buckets[id] = Start(point, span);
            }
        return [.. buckets.Values];
    }

    private static MetricRollup Start(MetricPoint point, int span) => new()
    {
        RunId = point.RunId, Key = point.Key, Span = span, Bucket = point.Step / span, Count = 1,
        FirstStep = point.Step, FirstEpoch = point.Epoch, FirstValue = point.Value, FirstTime = point.Time,
        LastStep = point.Step, LastEpoch = point.Epoch, LastValue = point.Value, LastTime = point.Time,
        MinStep = point.Step, MinEpoch = point.Epoch, MinValue = point.Value, MinTime = point.Time,
        MaxStep = point.Step, MaxEpoch = point.Epoch, MaxValue = point.Value, MaxTime = point.Time,
    };

    // The same tie rules as Merge's SQL and RebuildSql's orderings: a later-written point is never "first", is "last"
    // on an equal step, and an equal extreme keeps the lower step.
    private static void Add(MetricRollup rollup, MetricPoint point)
    {
        rollup.Count++;
        if (point.Step < rollup.FirstStep)
            (rollup.FirstStep, rollup.FirstEpoch, rollup.FirstValue, rollup.FirstTime) = (point.Step, point.Epoch, point.Value, point.Time);
        if (point.Step >= rollup.LastStep)
            (rollup.LastStep, rollup.LastEpoch, rollup.LastValue, rollup.LastTime) = (point.Step, point.Epoch, point.Value, point.Time);
        if (point.Value < rollup.MinValue || (point.Value == rollup.MinValue && point.Step < rollup.MinStep))
            (rollup.MinStep, rollup.MinEpoch, rollup.MinValue, rollup.MinTime) = (point.Step, point.Epoch, point.Value, point.Time);
        if (point.Value > rollup.MaxValue || (point.Value == rollup.MaxValue && point.Step < rollup.MaxStep))
            (rollup.MaxStep, rollup.MaxEpoch, rollup.MaxValue, rollup.MaxTime) = (point.Step, point.Epoch, point.Value, point.Time);
    }

    /// <summary>The columns in insert order.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "RunId", "Key", "Span", "Bucket", "Count",
        "FirstStep", "FirstEpoch", "FirstValue", "FirstTime", "LastStep", "LastEpoch", "LastValue", "LastTime",
        "MinStep", "MinEpoch", "MinValue", "MinTime", "MaxStep", "MaxEpoch", "MaxValue", "MaxTime",
    ];

    /// <summary>Each column's value of <paramref name="rollup"/>, in <see cref="Columns"/> order.</summary>
    public static object[] Values(MetricRollup rollup) =>
    [
        rollup.RunId, rollup.Key, rollup.Span, rollup.Bucket, rollup.Count,
        rollup.FirstStep, rollup.FirstEpoch, rollup.FirstValue, rollup.FirstTime, rollup.LastStep, rollup.LastEpoch, rollup.LastValue, rollup.LastTime,
        rollup.MinStep, rollup.MinEpoch, rollup.MinValue, rollup.MinTime, rollup.MaxStep, rollup.MaxEpoch, rollup.MaxValue, rollup.MaxTime,
    ];

    /// <summary>
    /// Inserts the rows <paramref name="source"/> yields (a VALUES list or a SELECT, in <see cref="Columns"/> order), merging
    /// each into the stored bucket if there is one. The right-hand sides read the stored row as it was before the update.
    /// </summary>
    public static string Merge(string source)
    {
        const string old = "\"MetricRollups\"";
        string Take(string prefix, string condition) => string.Join(",\n    ",
            new[] { "Step", "Epoch", "Value", "Time" }.Select(part =>
                $"\"{prefix}{part}\" = CASE WHEN {condition} THEN excluded.\"{prefix}{part}\" ELSE {old}.\"{prefix}{part}\" END"));
        return $"""
            INSERT INTO "MetricRollups" ({string.Join(", ", Columns.Select(c => $"\"{c}\""))})
            {source}
            ON CONFLICT ("RunId", "Key", "Span", "Bucket") DO UPDATE SET
                "Count" = {old}."Count" + excluded."Count",
                {Take("First", $"excluded.\"FirstStep\" < {old}.\"FirstStep\"")},
                {Take("Last", $"excluded.\"LastStep\" >= {old}.\"LastStep\"")},
                {Take("Min", $"excluded.\"MinValue\" < {old}.\"MinValue\" OR (excluded.\"MinValue\" = {old}.\"MinValue\" AND excluded.\"MinStep\" < {old}.\"MinStep\")")},
                {Take("Max", $"excluded.\"MaxValue\" > {old}.\"MaxValue\" OR (excluded.\"MaxValue\" = {old}.\"MaxValue\" AND excluded.\"MaxStep\" < {old}.\"MaxStep\")")};
            """;
    }

    /// <summary>
    /// Builds the buckets from the stored points, for the points and buckets <paramref name="filter"/> keeps (a condition
    /// on "RunId", "Key", "Step", "Span" and "Bucket"; "1 = 1" for all). The caller deletes those buckets first.
    /// Plain SQL both providers run alike (integer division truncates on both, as C#'s does).
    /// </summary>
    public static string RebuildSql(string filter)
    {
        string Pick(string rank, string prefix) => string.Join(", ",
            new[] { "Step", "Epoch", "Value", "Time" }.Select(part => $"MAX(CASE WHEN {rank} = 1 THEN \"{part}\" END) AS \"{prefix}{part}\""));
        const string bucket = "PARTITION BY \"RunId\", \"Key\", \"Span\", \"Bucket\"";
        return $"""
            INSERT INTO "MetricRollups" ({string.Join(", ", Columns.Select(c => $"\"{c}\""))})
            SELECT "RunId", "Key", "Span", "Bucket", COUNT(*),
                {Pick("f", "First")}, {Pick("l", "Last")}, {Pick("mn", "Min")}, {Pick("mx", "Max")}
            FROM (
                SELECT b.*,
                    ROW_NUMBER() OVER ({bucket} ORDER BY "Step", "Id") AS f,
                    ROW_NUMBER() OVER ({bucket} ORDER BY "Step" DESC, "Id" DESC) AS l,
                    ROW_NUMBER() OVER ({bucket} ORDER BY "Value", "Step", "Id") AS mn,
                    ROW_NUMBER() OVER ({bucket} ORDER BY "Value" DESC, "Step", "Id") AS mx
                FROM (
                    SELECT p."Id", p."RunId", p."Key", p."Step", p."Epoch", p."Value", p."Time", s."Span", p."Step" / s."Span" AS "Bucket"
                    FROM "MetricPoints" p CROSS JOIN ({string.Join(" UNION ALL ", Spans.Select(span => $"SELECT {span} AS \"Span\""))}) s
                ) b
                WHERE {filter}
            ) r
            GROUP BY "RunId", "Key", "Span", "Bucket"
            """;
    }
}
