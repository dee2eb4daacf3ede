using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Compare;
using Tracker.Web.Features.Compare.Statistics;

namespace Tracker.Web.Tests.Compare;

/// <summary>The summary's comparison with a chosen baseline row, the warnings on mixed groups, and the run counts along a band.</summary>
public class CompareVerdictTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private static long _nextId = 1;

    private static ComparedRun Run(RunConfig config, long? id = null)
    {
        var runId = id ?? _nextId++;
        return new(runId, $"run-{runId}", Methods.Describe(config), RunStatus.Succeeded, Start, ConfigFields.Flatten(config), config.Seed);
    }

    private static IEnumerable<RawPoint> Epochs(long runId, string key, params double[] values) =>
        values.Select((value, i) => new RawPoint(runId, key, (i + 1) * 10, i + 1, value, Start.AddSeconds(i + 1)));

    private static RunConfig Rate(double rate, int seed, int epochs = 10) =>
        new() { Seed = seed, Epochs = epochs, Dropout = new DropSettings { Rate = rate } };

    /// <summary>Three runs at each rate, their final val/acc as given, grouped by dropout.rate.</summary>
    private static CompareResult Grouped(string query, IReadOnlyList<(double Rate, int Seed, double Final)> members)
    {
        var runs = members.Select(m => Run(Rate(m.Rate, m.Seed))).ToList();
        var points = runs.Zip(members).SelectMany(p => Epochs(p.First.Id, MetricKeys.ValAcc, 50, p.Second.Final)).ToList();
        var state = CompareState.FromQuery($"runs={string.Join(',', runs.Select(r => r.Id))}&metrics=val/acc&group=dropout.rate{query}");
        return CompareBuilder.Build(state, runs, points, [MetricKeys.ValAcc]);
    }

    [Fact]
    public void EachGroup_IsComparedWithTheBaselineFromTheUrl_PairedWhenTheSeedsMatch()
    {
        var result = Grouped("&baseline=0.1",
        [
            (0.0, 1, 80.0), (0.0, 2, 81.0), (0.0, 3, 82.0),
            (0.1, 1, 84.1), (0.1, 2, 85.0), (0.1, 3, 85.9),
            (0.2, 1, 80.0), (0.2, 2, 84.0), (0.2, 3, 87.0),
        ]);

        Assert.Equal(["0", "0.1", "0.2"], result.Summary.Select(r => r.Key));
        Assert.Equal([false, true, false], result.Summary.Select(r => r.IsBaseline));
        Assert.Null(result.Summary[1].Cells[0].VsBaseline);

        var zero = result.Summary[0].Cells[0].VsBaseline!;
        Assert.Equal(ComparisonMethod.PairedT, zero.Estimate!.Method);
        Assert.Equal(81.0 - 85.0, zero.Estimate.Difference, 9);
        Assert.Equal(ComparisonVerdict.Worse, zero.Verdict);       // every seed lower, accuracy: worse
        Assert.NotNull(zero.Estimate.PValue);

        var spread = result.Summary[2].Cells[0].VsBaseline!;
        Assert.Equal(ComparisonVerdict.NoClearDifference, spread.Verdict);
    }

    [Fact]
    public void WithoutABaselineInTheUrl_TheFirstRowIsIt_AndAnUnknownOneIsSaidAndIgnored()
    {
        (double, int, double)[] members = [(0.0, 1, 80.0), (0.0, 2, 81.0), (0.0, 3, 82.0), (0.1, 4, 90.0), (0.1, 5, 91.0), (0.1, 6, 92.0)];

        var byDefault = Grouped("", members);
        var unknown = Grouped("&baseline=0.7", members);

        Assert.True(byDefault.Summary[0].IsBaseline);
        var better = byDefault.Summary[1].Cells[0].VsBaseline!;
        Assert.Equal(ComparisonMethod.WelchT, better.Estimate!.Method);     // different seeds: Welch
        Assert.Equal(ComparisonVerdict.Better, better.Verdict);
        Assert.True(unknown.Summary[0].IsBaseline);
        Assert.Contains(unknown.State.Problems, p => p.Contains("'0.7'", StringComparison.Ordinal));
    }

    [Fact]
    public void FewerThanThreeRuns_IsTooFewRuns_HoweverFarApart()
    {
        var result = Grouped("", [(0.0, 1, 10.0), (0.0, 2, 11.0), (0.1, 1, 90.0), (0.1, 2, 91.0)]);

        Assert.Equal(ComparisonVerdict.TooFewRuns, result.Summary[1].Cells[0].VsBaseline!.Verdict);
    }

    [Fact]
    public void WithoutGrouping_RowsAreRuns_KeyedByTheirIds()
    {
        var a = Run(Rate(0, 1), id: 501);
        var b = Run(Rate(0, 2), id: 502);
        var state = CompareState.FromQuery("runs=501,502&metrics=val/acc&baseline=502");

        var result = CompareBuilder.Build(state, [a, b], [.. Epochs(501, MetricKeys.ValAcc, 70), .. Epochs(502, MetricKeys.ValAcc, 75)], [MetricKeys.ValAcc]);

        Assert.Equal(["501", "502"], result.Summary.Select(r => r.Key));
        Assert.True(result.Summary[1].IsBaseline);
        Assert.Equal(ComparisonVerdict.TooFewRuns, result.Summary[0].Cells[0].VsBaseline!.Verdict);
        Assert.Empty(result.Summary[0].Mixed!);
    }

    [Fact]
    public void AGroupMixingEpochsOrModels_NamesTheFieldThatDiffers()
    {
        RunConfig[] configs =
        [
            Rate(0.1, 1, epochs: 10), Rate(0.1, 2, epochs: 20) with { Model = KnownModels.ConvNet },
            Rate(0.2, 1), Rate(0.2, 2),
        ];
        var runs = configs.Select(c => Run(c)).ToList();
        var state = CompareState.FromQuery($"runs={string.Join(',', runs.Select(r => r.Id))}&metrics=val/acc&group=dropout.rate");

        var result = CompareBuilder.Build(state, runs, [], [MetricKeys.ValAcc]);

        var mixed = result.Summary[0].Mixed!;
        Assert.Equal(2, mixed.Count);
        Assert.StartsWith("epochs differ: 10, 20", mixed[0], StringComparison.Ordinal);
        Assert.StartsWith("model differ:", mixed[1], StringComparison.Ordinal);
        Assert.Empty(result.Summary[1].Mixed!);
    }

    [Fact]
    public void ABand_SaysHowManyRunsStandBehindIt_WhereThatChanges()
    {
        var runs = new[] { Run(Rate(0.1, 1)), Run(Rate(0.1, 2)), Run(Rate(0.1, 3)) };
        RawPoint[] points =
        [
            .. Epochs(runs[0].Id, MetricKeys.ValAcc, 50, 60, 70, 80),
            .. Epochs(runs[1].Id, MetricKeys.ValAcc, 52, 62, 72, 82),
            .. Epochs(runs[2].Id, MetricKeys.ValAcc, 51, 61),           // stopped after epoch 2
        ];
        var state = CompareState.FromQuery($"runs={string.Join(',', runs.Select(r => r.Id))}&metrics=val/acc&group=dropout.rate");

        var series = CompareBuilder.Build(state, runs, points, [MetricKeys.ValAcc]).Charts.Single().Series.Single();

        Assert.Equal([new RunCountSpan(1, 2, 3), new RunCountSpan(3, 4, 2)], series.Counts);
    }

    [Fact]
    public void Baseline_TravelsInTheUrl()
    {
        var state = CompareState.FromQuery("runs=1,2&group=method&baseline=no%20dropout");

        Assert.Equal("no dropout", state.Baseline);
        Assert.Equal("runs=1,2&group=method&baseline=no%20dropout", state.ToQuery());
        Assert.Equal(state.ToQuery(), CompareState.FromQuery(state.ToQuery()).ToQuery());
    }

    [Fact]
    public void Numbers_AreRoundedToTheirSpread_AccuraciesInPercent()
    {
        Assert.Equal("84.9 ± 1.2 %", CompareFormat.MeanStd(MetricKeys.ValAcc, 84.9412, 1.234, 3));
        Assert.Equal("0.412 ± 0.010", CompareFormat.MeanStd(MetricKeys.ValLoss, 0.41237, 0.0104, 3));
        Assert.Equal("84.94 %", CompareFormat.MeanStd(MetricKeys.ValAcc, 84.9412, 0, 1));
        Assert.Equal("—", CompareFormat.MeanStd(MetricKeys.ValAcc, null, 0, 0));

        var estimate = new DifferenceEstimate(ComparisonMethod.WelchT, -1.2345, -2.46, -0.01, 0.95, PValue: 0.0004);
        Assert.Equal("−1.2 % [−2.5, 0.0]", CompareFormat.Difference(MetricKeys.ValAcc, estimate));
        Assert.Equal("p < 0.001", CompareFormat.PValue(estimate));
        Assert.Equal("p = 0.042", CompareFormat.PValue(estimate with { PValue = 0.0421 }));
        Assert.Equal("bootstrap", CompareFormat.PValue(estimate with { Method = ComparisonMethod.Bootstrap, PValue = null }));
    }

    [Theory]
    [InlineData("baseline-a", true)]
    [InlineData("model = mlp AND tag = sweep", true)]
    [InlineData("val/acc >", false)]
    public void RunSearch_TakesAFilterQueryOrPlainWords(string text, bool valid)
    {
        Assert.Equal(valid, CompareRunSearch.TryFilter(text, out var filter, out var error));
        Assert.Equal(valid, filter is not null);
        Assert.Equal(valid, error is null);
    }
}
