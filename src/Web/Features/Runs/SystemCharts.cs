using Tracker.Shared;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// The run page's "System" charts, from the sys/ keys a run has (tracker-train, the workers and the Python client report
/// the same ones): CPU and process memory each on its own scale, and one line per GPU that reported. A chart appears only
/// once one of its keys has points, so runs without system metrics show none.
/// </summary>
public static class SystemCharts
{
    /// <summary>One chart: its title and the keys it draws, in order.</summary>
    public sealed record Chart(string Title, IReadOnlyList<string> Keys);

    public static IReadOnlyList<Chart> For(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var present = keys.ToHashSet(StringComparer.Ordinal);
        var charts = new List<Chart>();
        void Add(string title, IReadOnlyList<string> chartKeys)
        {
            if (chartKeys.Count > 0) charts.Add(new Chart(title, chartKeys));
        }
        Add("CPU use (%)", present.Contains(MetricKeys.CpuPercent) ? [MetricKeys.CpuPercent] : []);
        Add("Process memory (MB)", present.Contains(MetricKeys.RssMb) ? [MetricKeys.RssMb] : []);
        Add("GPU utilisation (%)", MetricKeys.GpuUtilKeys(present));
        Add("GPU memory (MB)", MetricKeys.GpuMemoryKeys(present));
        return charts;
    }
}
