using Tracker.Shared;
using Tracker.Web.Features.Compare.Statistics;

namespace Tracker.Web.Features.Compare;

/// <summary>Turns loaded runs and points into what a comparison shows; no I/O, so every number is unit-tested.</summary>
public static class CompareBuilder
{
    /// <param name="state">The view.</param>
    /// <param name="runs">The runs found, in any order; they are shown in the order of <see cref="CompareState.Runs"/>.</param>
    /// <param name="points">Their points of the shown metrics, ordered by run, key, step (and insertion).</param>
    /// <param name="availableMetrics">Every key the runs recorded, for the metric picker.</param>
    public static CompareResult Build(CompareState state, IReadOnlyList<ComparedRun> runs, IReadOnlyList<RawPoint> points, IReadOnlyList<string> availableMetrics)
    {
        var byId = runs.ToDictionary(r => r.Id);
        var ordered = state.Runs.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
        var missing = state.Runs.Where(id => !byId.ContainsKey(id)).ToList();
        var diff = ConfigFields.Diff(ordered.Select(r => r.Config).ToList(), state.HideIdentical);

        // Each run's points per key, kept in the given (step) order.
        var pointsOf = points.GroupBy(p => (p.RunId, p.Key)).ToDictionary(g => g.Key, g => g.ToList());
        var groups = Groups(state, ordered);
        var keys = groups.Select(g => RowKey(state, g.Members[0])).ToList();
        var baseline = state.Baseline is null ? 0 : keys.IndexOf(state.Baseline);
        if (baseline < 0)
        {
            state = state with { Problems = [.. state.Problems, $"No row '{state.Baseline}' to compare with; the first row is the baseline."] };
            baseline = 0;
        }
        var charts = new List<MetricChart>();
        var summaryCells = groups.Select(_ => new List<SummaryCell>()).ToList();
        foreach (var key in state.ShownMetrics)
        {
            var series = new List<ChartSeries>();
            var seededFinals = new List<List<SeededValue>>();
            for (var g = 0; g < groups.Count; g++)
            {
                var (name, members) = groups[g];
                var lines = new List<IReadOnlyList<XY>>();
                var finals = new List<double>();
                var bests = new List<double>();
                seededFinals.Add([]);
                foreach (var run in members)
                {
                    if (!pointsOf.TryGetValue((run.Id, key), out var runPoints) || runPoints.Count == 0) continue;
                    var start = run.StartedAt ?? runPoints.Min(p => p.Time);
                    var line = SeriesMath.Smooth(SeriesMath.Align(runPoints, state.XAxis, start), state.Smoothing);
                    if (line.Count > 0) lines.Add(line);
                    finals.Add(runPoints[^1].Value);
                    seededFinals[g].Add(new SeededValue(runPoints[^1].Value, run.Seed));
                    bests.Add(MetricKeys.HigherIsBetter(key) ? runPoints.Max(p => p.Value) : runPoints.Min(p => p.Value));
                }
                summaryCells[g].Add(Cell(finals, bests));
                if (lines.Count == 0) continue;
                var memberIds = members.Select(r => r.Id).ToList();
                series.Add(state.GroupBy is null
                    ? new ChartSeries(name, memberIds, lines[0].Select(p => new BandPoint(p.X, p.Y, 0, 1)).ToList(), IsGroup: false)
                    : new ChartSeries(name, memberIds, SeriesMath.Aggregate(lines), IsGroup: true));
            }
            charts.Add(new MetricChart(key, series));
            // Final values against the baseline row's; GroupComparison picks paired, Welch or bootstrap.
            for (var g = 0; g < groups.Count; g++)
                if (g != baseline && seededFinals[g].Count > 0 && seededFinals[baseline].Count > 0)
                    summaryCells[g][^1] = summaryCells[g][^1] with { VsBaseline = GroupComparison.Compare(seededFinals[baseline], seededFinals[g], key) };
        }
        var summary = groups.Select((group, g) => new SummaryRow(group.Name, group.Members.Select(r => r.Id).ToList(), summaryCells[g],
            keys[g], g == baseline, state.GroupBy is null ? [] : MixedFields(group.Members))).ToList();
        return new CompareResult(state, ordered, missing, diff, charts, summary, availableMetrics);
    }

    /// <summary>The config fields that make two runs' numbers comparable only when equal: a group mixing them is flagged.</summary>
    public static IReadOnlyList<string> ComparabilityFields { get; } = ["epochs", "dataset", "trainSubset", "model"];

    /// <summary>What <see cref="CompareState.Baseline"/> calls a row: the run's id without grouping, else its group's value.</summary>
    public static string RowKey(CompareState state, ComparedRun member) => state.GroupBy is { } path
        ? ConfigFields.GroupValue(member.Config, path)
        : member.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"epochs differ: 10, 20" for each <see cref="ComparabilityFields"/> entry whose value is not the same in every member.</summary>
    public static IReadOnlyList<string> MixedFields(IReadOnlyList<ComparedRun> members) => ComparabilityFields
        .Select(field => (field, values: members.Select(m => ConfigFields.GroupValue(m.Config, field)).Distinct(StringComparer.Ordinal).ToList()))
        .Where(f => f.values.Count > 1)
        .Select(f => $"{f.field} differ: {string.Join(", ", f.values)}")
        .ToList();

    /// <summary>One group per run without grouping; else one per value of the grouping field, in first-seen order.</summary>
    public static List<(string Name, List<ComparedRun> Members)> Groups(CompareState state, IReadOnlyList<ComparedRun> runs)
    {
        if (state.GroupBy is not { } path) return runs.Select(r => (r.Label, new List<ComparedRun> { r })).ToList();
        var groups = new List<(string Name, List<ComparedRun> Members)>();
        foreach (var run in runs)
        {
            var name = $"{path}={ConfigFields.GroupValue(run.Config, path)}";
            var index = groups.FindIndex(g => g.Name == name);
            if (index < 0) groups.Add((name, [run]));
            else groups[index].Members.Add(run);
        }
        return groups;
    }

    private static SummaryCell Cell(List<double> finals, List<double> bests)
    {
        if (finals.Count == 0) return new SummaryCell(null, 0, null, 0, 0);
        var (final, finalStd) = SeriesMath.MeanStd(finals);
        var (best, bestStd) = SeriesMath.MeanStd(bests);
        return new SummaryCell(final, finalStd, best, bestStd, finals.Count);
    }
}
