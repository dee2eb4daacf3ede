using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Compare.Statistics;

namespace Tracker.Web.Features.Compare;

/// <summary>A compared run: what the tables show of it, its config as flat fields, and its seed (pairs runs across groups).</summary>
public sealed record ComparedRun(
    long Id, string Name, string Method, RunStatus Status, DateTime? StartedAt, IReadOnlyList<KeyValuePair<string, string>> Config, long? Seed = null)
{
    public string Label => $"#{Id} {Name}";
}

/// <summary>One plotted line: a run's (N = 1, no spread) or a group's mean with its standard deviation.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<long> RunIds, IReadOnlyList<BandPoint> Points, bool IsGroup)
{
    /// <summary>How many runs stand behind the line, span by span along x; more than one span when runs stop at different x.</summary>
    public IReadOnlyList<RunCountSpan> Counts { get; } = SeriesMath.CountSpans(Points);
}

/// <summary>From <see cref="FromX"/> to <see cref="ToX"/> (both plotted x), the band is the mean of <see cref="N"/> runs.</summary>
public readonly record struct RunCountSpan(double FromX, double ToX, int N);

/// <summary>The lines of one metric.</summary>
public sealed record MetricChart(string Key, IReadOnlyList<ChartSeries> Series);

/// <summary>
/// The final and best value of one metric for a run or a group (mean and sample standard deviation over the runs that
/// have the metric; N of them). Null means no run of the row recorded it. <see cref="VsBaseline"/> compares the row's final
/// values with the baseline row's (<see cref="GroupComparison"/>); null on the baseline row itself.
/// </summary>
public sealed record SummaryCell(double? Final, double FinalStd, double? Best, double BestStd, int N, GroupComparisonResult? VsBaseline = null);

/// <summary>
/// One row of the summary table; <see cref="Cells"/> follow <see cref="CompareState.ShownMetrics"/>. <see cref="Key"/> is what
/// <see cref="CompareState.Baseline"/> names it by (the run id, or the group's value). <see cref="Mixed"/> says, one sentence
/// per field, where a group's runs differ in what makes their numbers comparable (epochs, dataset, subset, model).
/// </summary>
public sealed record SummaryRow(string Name, IReadOnlyList<long> RunIds, IReadOnlyList<SummaryCell> Cells, string Key = "", bool IsBaseline = false,
    IReadOnlyList<string>? Mixed = null);

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
