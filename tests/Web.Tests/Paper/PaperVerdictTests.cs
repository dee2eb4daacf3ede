using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Compare.Statistics;
using Tracker.Web.Features.Paper;

namespace Tracker.Web.Tests.Paper;

/// <summary>Each of our cells against the paper: Δ from the baseline row with its interval, the verdict, one summary line per row.</summary>
public class PaperVerdictTests
{
    private static readonly ReferenceResults Reference = ReferenceResults.Load();
    private static readonly InstanceTableSpec EarlyBasic = PaperPresets.SpecFor("early-basic")!;
    private static readonly ReferenceTable EarlyBasicReference = Reference.Table("early-basic")!;

    private static long _nextId = 1000;

    private static PaperRun Run(string method, string model, double valAcc, int seed) =>
        new(_nextId++, method, model, KnownDatasets.FashionMnist, RunStatus.Succeeded, seed, [EarlyBasic.RunsTag], valAcc, 0.5);

    private static IEnumerable<PaperRun> Seeds(string method, string model, params double[] values) =>
        values.Select((value, seed) => Run(method, model, value, seed));

    [Fact]
    public void EarlyDropout_AboveNoDropoutOnEverySeed_Reproduces_BelowContradicts_AndTwoRunsAreInconclusive()
    {
        PaperRun[] runs =
        [
            .. Seeds(Methods.NoDropout, KnownModels.VitNano, 80.0, 81.0, 82.0),
            .. Seeds(Methods.EarlyDropout, KnownModels.VitNano, 81.1, 82.0, 83.2),   // +1 on each seed: the paper's +0.4 direction
            .. Seeds(Methods.NoDropout, KnownModels.Mixer, 70.0, 71.0, 72.0),
            .. Seeds(Methods.EarlyDropout, KnownModels.Mixer, 68.0, 69.1, 69.9),     // −2 on each seed: against the paper's +0.3
            .. Seeds(Methods.StandardDropout, KnownModels.VitNano, 70.0, 71.0),      // two runs: no verdict either way
        ];

        var table = PaperTables.Build(EarlyBasic, EarlyBasicReference, runs);

        var early = table.Cell(Methods.EarlyDropout, KnownModels.VitNano);
        Assert.Equal(ComparisonMethod.PairedT, early.VsBaseline!.Estimate!.Method);
        Assert.Equal(1.1, early.VsBaseline.Estimate.Difference, 9);
        Assert.True(early.VsBaseline.Estimate.Lower > 0);
        Assert.Equal(74.3 - 73.9, early.PaperDelta!.Value, 9);
        Assert.Equal(Reproduction.Reproduced, early.Verdict);

        var mixer = table.Cell(Methods.EarlyDropout, KnownModels.Mixer);
        Assert.True(mixer.VsBaseline!.Estimate!.Upper < 0);
        Assert.Equal(Reproduction.Contradicted, mixer.Verdict);

        var standard = table.Cell(Methods.StandardDropout, KnownModels.VitNano);
        Assert.Equal(2, standard.VsBaseline!.OtherRuns);
        Assert.Equal(Reproduction.Inconclusive, standard.Verdict);

        // The baseline row and cells without runs are not judged; neither is a cell the paper leaves empty (ConvNeXt-F).
        Assert.Null(table.Cell(Methods.NoDropout, KnownModels.VitNano).Verdict);
        Assert.Null(table.Cell(Methods.EarlyStochasticDepth, KnownModels.VitNano).Verdict);
        Assert.Null(table.Cell(Methods.EarlyDropout, KnownModels.ConvNext).Verdict);

        Assert.Equal(
            ["standard dropout: 0 of 1 column reproduced, 1 inconclusive", "early dropout: 1 of 2 columns reproduced, 1 contradicted"],
            table.SummaryLines);
    }

    [Fact]
    public void OverlappingGroups_AreInconclusive_AndADifferentSeedSetIsComparedByWelch()
    {
        PaperRun[] runs =
        [
            .. Seeds(Methods.NoDropout, KnownModels.VitNano, 80.0, 83.0, 81.0),
            Run(Methods.EarlyDropout, KnownModels.VitNano, 82.0, 3), Run(Methods.EarlyDropout, KnownModels.VitNano, 80.5, 4),
            Run(Methods.EarlyDropout, KnownModels.VitNano, 81.0, 5),
        ];

        var cell = PaperTables.Build(EarlyBasic, EarlyBasicReference, runs).Cell(Methods.EarlyDropout, KnownModels.VitNano);

        Assert.Equal(ComparisonMethod.WelchT, cell.VsBaseline!.Estimate!.Method);
        Assert.True(cell.VsBaseline.Estimate.Lower < 0 && cell.VsBaseline.Estimate.Upper > 0);
        Assert.Equal(Reproduction.Inconclusive, cell.Verdict);
    }
}
