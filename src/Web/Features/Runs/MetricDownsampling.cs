using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs;

/// <summary>One recorded value of a metric at a training step.</summary>
public readonly record struct SeriesPoint(long Step, double Value);

/// <summary>
/// Shape-preserving downsampling for charts: at most N points, keeping the first and the last point and, of every
/// bucket in between, its lowest and highest value in step order, so a spike or a dip is never smoothed away.
/// One pass over the input: O(n) time, O(N) memory.
/// </summary>
public static class MetricDownsampling
{
    /// <summary>The fewest points a caller may ask for: the first and the last.</summary>
    public const int MinimumPoints = 2;

    /// <summary>
    /// At most <paramref name="maxPoints"/> of <paramref name="points"/> (taken to be in step order), in their original
    /// order. When they already fit, all are returned. Otherwise the points between the first and the last are split
    /// into (N − 2) / 2 buckets of near-equal size, each contributing its minimum and its maximum (one point when they
    /// are the same point); an odd N leaves one slot unused. NaN is never picked over a number, but a bucket of only NaN
    /// keeps its first NaN, so a chart can still show where a run diverged; ±∞ count as the extremes they are.
    /// </summary>
    public static IReadOnlyList<SeriesPoint> Downsample(IReadOnlyList<SeriesPoint> points, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (maxPoints < MinimumPoints)
            throw new ArgumentOutOfRangeException(nameof(maxPoints), maxPoints, $"Keep at least {MinimumPoints} points: the first and the last.");
        if (points.Count <= maxPoints) return points.ToArray();

        var interior = points.Count - 2;
        var buckets = (maxPoints - 2) / 2;
        var kept = new List<SeriesPoint>(maxPoints) { points[0] };
        for (var bucket = 0; bucket < buckets; bucket++)
        {
            // Bucket b holds interior points [start, end); long arithmetic so n × b cannot overflow.
            var start = 1 + (int)((long)interior * bucket / buckets);
            var end = 1 + (int)((long)interior * (bucket + 1) / buckets);
            var (low, high) = Extremes(points, start, end);
            kept.Add(points[Math.Min(low, high)]);
            if (low != high) kept.Add(points[Math.Max(low, high)]);
        }
        kept.Add(points[^1]);
        return kept;
    }

    /// <summary>Indices of the first minimum and the first maximum in [start, end), skipping NaN unless all are NaN.</summary>
    private static (int Low, int High) Extremes(IReadOnlyList<SeriesPoint> points, int start, int end)
    {
        int low = -1, high = -1;
        for (var i = start; i < end; i++)
        {
            var value = points[i].Value;
            if (double.IsNaN(value)) continue;
            if (low < 0 || value < points[low].Value) low = i;
            if (high < 0 || value > points[high].Value) high = i;
        }
        return low < 0 ? (start, start) : (low, high);
    }
}

/// <summary>
/// <see cref="MetricDownsampling"/>'s guarantees from stored buckets instead of points (docs/decisions/0035): the first
/// bucket's first point, the last bucket's last point, and between them groups of consecutive buckets, each group
/// contributing its lowest and highest point in step order. A group's extremes are its buckets' extremes, so no spike
/// is lost; at most 2 + 2 × groups ≤ N points.
/// </summary>
public static class RollupDownsampling
{
    /// <summary>
    /// At most <paramref name="maxPoints"/> points of the line <paramref name="buckets"/> summarise (in step order, not
    /// overlapping), grouped into (N − 2) / 2 groups of near-equal bucket counts, or one group per bucket when there are
    /// fewer buckets than that.
    /// </summary>
    public static List<StoredPoint> Downsample(IReadOnlyList<MetricRollup> buckets, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        if (maxPoints < MetricDownsampling.MinimumPoints)
            throw new ArgumentOutOfRangeException(nameof(maxPoints), maxPoints, $"Keep at least {MetricDownsampling.MinimumPoints} points: the first and the last.");
        var kept = new List<StoredPoint>(maxPoints);
        if (buckets.Count == 0) return kept;
        var groups = Math.Min((maxPoints - 2) / 2, buckets.Count);
        Add(kept, new StoredPoint(buckets[0].FirstStep, buckets[0].FirstEpoch, buckets[0].FirstValue, buckets[0].FirstTime));
        for (var group = 0; group < groups; group++)
        {
            var start = (int)((long)buckets.Count * group / groups);
            var end = (int)((long)buckets.Count * (group + 1) / groups);
            MetricRollup low = buckets[start], high = buckets[start];
            for (var i = start + 1; i < end; i++)
            {
                if (buckets[i].MinValue < low.MinValue) low = buckets[i];
                if (buckets[i].MaxValue > high.MaxValue) high = buckets[i];
            }
            var min = new StoredPoint(low.MinStep, low.MinEpoch, low.MinValue, low.MinTime);
            var max = new StoredPoint(high.MaxStep, high.MaxEpoch, high.MaxValue, high.MaxTime);
            Add(kept, min.Step <= max.Step ? min : max);
            Add(kept, min.Step <= max.Step ? max : min);
        }
        var last = buckets[^1];
        Add(kept, new StoredPoint(last.LastStep, last.LastEpoch, last.LastValue, last.LastTime));
        return kept;
    }

    // A point can be a bucket's first and its minimum, or a group's minimum and maximum: it is kept once.
    private static void Add(List<StoredPoint> kept, StoredPoint point)
    {
        if (kept.Count == 0 || kept[^1] != point) kept.Add(point);
    }
}
