namespace Tracker.Web.Features.Compare;

/// <summary>One stored metric value, as the comparison reads it.</summary>
public readonly record struct RawPoint(long RunId, string Key, long Step, int Epoch, double Value, DateTime Time);

/// <summary>One point of a plotted line.</summary>
public readonly record struct XY(double X, double Y);

/// <summary>One point of a plotted line with its spread: the mean of <see cref="N"/> values and their sample standard deviation.</summary>
public readonly record struct BandPoint(double X, double Mean, double Std, int N)
{
    public double Lower => Mean - Std;
    public double Upper => Mean + Std;
}

/// <summary>The numbers behind a comparison's charts and summary: alignment on an x axis, smoothing, mean and spread.</summary>
public static class SeriesMath
{
    /// <summary>
    /// One run's points of one key, in step order, as a line over <paramref name="axis"/>: one point per x, the last one
    /// recorded there winning (the epoch's closing value for <see cref="CompareXAxis.Epoch"/>). Time is seconds since
    /// <paramref name="start"/>. NaN and infinite values are left out: a line cannot be drawn through them.
    /// </summary>
    public static List<XY> Align(IEnumerable<RawPoint> points, CompareXAxis axis, DateTime start)
    {
        var line = new List<XY>();
        foreach (var point in points)
        {
            if (!double.IsFinite(point.Value)) continue;
            var x = axis switch
            {
                CompareXAxis.Epoch => point.Epoch,
                CompareXAxis.Step => point.Step,
                _ => (point.Time - start).TotalSeconds,
            };
            // Points come in step order, so an x seen before is the previous one (epochs and steps never go back).
            if (line.Count > 0 && line[^1].X == x) line[^1] = new XY(x, point.Value);
            else line.Add(new XY(x, point.Value));
        }
        // Clock time may step back (a machine's clock corrected); the line still runs left to right.
        if (axis == CompareXAxis.Time) line.Sort((a, b) => a.X.CompareTo(b.X));
        return line;
    }

    /// <summary>Exponential moving average: s0 = y0, s = w * s + (1 - w) * y. A weight of 0 returns the line unchanged.</summary>
    public static List<XY> Smooth(IReadOnlyList<XY> line, double weight)
    {
        if (weight is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(weight), weight, "The weight must be in [0, 1).");
        var smoothed = new List<XY>(line.Count);
        var average = 0.0;
        for (var i = 0; i < line.Count; i++)
        {
            average = i == 0 ? line[i].Y : weight * average + (1 - weight) * line[i].Y;
            smoothed.Add(new XY(line[i].X, average));
        }
        return smoothed;
    }

    /// <summary>Mean and sample standard deviation (n - 1); the deviation of a single value is 0.</summary>
    public static (double Mean, double Std) MeanStd(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("No values.", nameof(values));
        var mean = values.Average();
        if (values.Count == 1) return (mean, 0);
        var squares = values.Sum(v => (v - mean) * (v - mean));
        return (mean, Math.Sqrt(squares / (values.Count - 1)));
    }

    /// <summary>
    /// The lines of a group's runs as one line with a band: at every x any member has, the mean and standard deviation
    /// of the members whose line spans that x (linearly interpolated between its points, never extended past its ends,
    /// so a run that stopped early leaves the average there instead of pulling it).
    /// </summary>
    public static List<BandPoint> Aggregate(IReadOnlyList<IReadOnlyList<XY>> members)
    {
        var grid = members.SelectMany(m => m.Select(p => p.X)).Distinct().Order().ToList();
        var result = new List<BandPoint>(grid.Count);
        var values = new List<double>(members.Count);
        foreach (var x in grid)
        {
            values.Clear();
            foreach (var member in members)
                if (ValueAt(member, x) is { } value) values.Add(value);
            var (mean, std) = MeanStd(values);
            result.Add(new BandPoint(x, mean, std, values.Count));
        }
        return result;
    }

    /// <summary>The line's value at <paramref name="x"/>, interpolated between its neighbours; null outside the line.</summary>
    public static double? ValueAt(IReadOnlyList<XY> line, double x)
    {
        if (line.Count == 0 || x < line[0].X || x > line[^1].X) return null;
        int low = 0, high = line.Count - 1;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (line[middle].X < x) low = middle + 1;
            else high = middle;
        }
        var right = line[low];
        if (right.X == x || low == 0) return right.Y;
        var left = line[low - 1];
        return left.Y + (right.Y - left.Y) * (x - left.X) / (right.X - left.X);
    }

    /// <summary>The runs behind a line as spans of equal N, in x order: one span when every run covers the whole axis.</summary>
    public static IReadOnlyList<RunCountSpan> CountSpans(IReadOnlyList<BandPoint> points)
    {
        var spans = new List<RunCountSpan>();
        foreach (var point in points)
        {
            if (spans.Count > 0 && spans[^1].N == point.N) spans[^1] = spans[^1] with { ToX = point.X };
            else spans.Add(new RunCountSpan(point.X, point.X, point.N));
        }
        return spans;
    }

    /// <summary>At most <paramref name="max"/> points for drawing, evenly strided, always keeping the first and the last.</summary>
    public static IReadOnlyList<T> Thin<T>(IReadOnlyList<T> points, int max)
    {
        if (max < 2) throw new ArgumentOutOfRangeException(nameof(max), max, "Keep at least 2 points.");
        if (points.Count <= max) return points;
        var thinned = new List<T>(max);
        var stride = (points.Count - 1) / (double)(max - 1);
        for (var i = 0; i < max; i++) thinned.Add(points[(int)Math.Round(i * stride)]);
        return thinned;
    }
}
