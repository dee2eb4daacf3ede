namespace Tracker.Web.Data;

/// <summary>One stored point as a chart needs it.</summary>
public readonly record struct StoredPoint(long Step, int Epoch, double Value, DateTime Time);

/// <summary>
/// The rules of <see cref="MetricRollup"/>: which spans exist, how points fold into a bucket (in memory: a batch, the raw
/// edges of a zoomed read, a rebuild from the stored points) and how a batch's buckets merge into the stored ones (SQL).
/// Both agree on every tie, so batches merged give the same rows as the whole history folded at once (a test compares).
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
        var folder = new Folder();
        foreach (var point in points) folder.Add(point);
        return folder.Buckets;
    }

    /// <summary>Folds points one at a time, so a stream of a million points never has to be held.</summary>
    public sealed class Folder
    {
        // Per run and key, one bucket table per span (in Spans order): a point costs one lookup by its key's text,
        // not one per span (ingest spent more on hashing these keys than on the folding).
        private readonly Dictionary<(long RunId, string Key), Dictionary<long, MetricRollup>[]> _series = [];
        private readonly List<MetricRollup> _buckets = [];

        /// <summary>Every bucket, in the order the points started them.</summary>
        public List<MetricRollup> Buckets => [.. _buckets];

        public void Add(MetricPoint point)
        {
            if (!_series.TryGetValue((point.RunId, point.Key), out var bySpan))
                _series[(point.RunId, point.Key)] = bySpan = [.. Spans.Select(_ => new Dictionary<long, MetricRollup>())];
            for (var i = 0; i < Spans.Count; i++)
            {
                var span = Spans[i];
                if (bySpan[i].TryGetValue(point.Step / span, out var rollup)) MetricRollups.Add(rollup, point);
                else _buckets.Add(bySpan[i][point.Step / span] = Start(point, span));
            }
        }
    }

    private static MetricRollup Start(MetricPoint point, int span) => new()
    {
        RunId = point.RunId, Key = point.Key, Span = span, Bucket = point.Step / span, Count = 1,
        FirstStep = point.Step, FirstEpoch = point.Epoch, FirstValue = point.Value, FirstTime = point.Time,
        LastStep = point.Step, LastEpoch = point.Epoch, LastValue = point.Value, LastTime = point.Time,
        MinStep = point.Step, MinEpoch = point.Epoch, MinValue = point.Value, MinTime = point.Time,
        MaxStep = point.Step, MaxEpoch = point.Epoch, MaxValue = point.Value, MaxTime = point.Time,
    };

    // The same tie rules as Merge's SQL and the stored order (step, then id): a later-written point is never "first", is "last"
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
    /// Inserts the rows <paramref name="source"/> yields, leaving a bucket that is already stored as it is: for buckets built
    /// from the stored points, where a stored row is at least as current (a concurrent build, or a bucket kept on purpose).
    /// </summary>
    public static string InsertMissing(string source) => $"""
        INSERT INTO "MetricRollups" ({string.Join(", ", Columns.Select(c => $"\"{c}\""))})
        {source}
        ON CONFLICT ("RunId", "Key", "Span", "Bucket") DO NOTHING;
        """;
}
