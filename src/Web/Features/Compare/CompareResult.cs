using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Compare;

/// <summary>A compared run: what the tables show of it and its config as flat fields.</summary>
public sealed record ComparedRun(
    long Id, string Name, string Method, RunStatus Status, DateTime? StartedAt, IReadOnlyList<KeyValuePair<string, string>> Config)
{
    public string Label => $"#{Id} {Name}";
}

/// <summary>One plotted line: a run's (N = 1, no spread) or a group's mean with its standard deviation.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<long> RunIds, IReadOnlyList<BandPoint> Points, bool IsGroup);

/// <summary>The lines of one metric.</summary>
public sealed record MetricChart(string Key, IReadOnlyList<ChartSeries> Series);

/// <summary>
/// The final and best value of one metric for a run or a group (mean and sample standard deviation over the runs that
/// have the metric; N of them). Null means no run of the row recorded it.
/// </summary>
public sealed record SummaryCell(double? Final, double FinalStd, double? Best, double BestStd, int N);

/// <summary>One row of the summary table; <see cref="Cells"/> follow <see cref="CompareState.ShownMetrics"/>.</summary>
public sealed record SummaryRow(string Name, IReadOnlyList<long> RunIds, IReadOnlyList<SummaryCell> Cells);

/// <summary>Everything a comparison view shows, computed once from one load.</summary>
public sealed record CompareResult(
    CompareState State,
    IReadOnlyList<ComparedRun> Runs,
    IReadOnlyList<long> MissingRuns,
    IReadOnlyList<ConfigDiffRow> Diff,
    IReadOnlyList<MetricChart> Charts,
    IReadOnlyList<SummaryRow> Summary,
    IReadOnlyList<string> AvailableMetrics)
{
    /// <summary>The config paths a comparison can group by: every field any run has.</summary>
    public IReadOnlyList<string> GroupPaths { get; } =
        Runs.SelectMany(r => r.Config.Select(f => f.Key)).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>True when <see cref="MetricKeys.HigherIsBetter"/> says the best value of the key is its maximum.</summary>
    public static bool HigherIsBetter(string key) => MetricKeys.HigherIsBetter(key);
}
