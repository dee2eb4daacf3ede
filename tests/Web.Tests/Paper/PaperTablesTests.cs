using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Paper;

namespace Tracker.Web.Tests.Paper;

/// <summary>The instance tables from fixed runs: which runs count, mean ± sample std, the difference from the baseline, what is missing.</summary>
public class PaperTablesTests
{
    private static readonly ReferenceResults Reference = ReferenceResults.Load();
    private static readonly InstanceTableSpec EarlyBasic = PaperPresets.SpecFor("early-basic")!;
    private static readonly ReferenceTable EarlyBasicReference = Reference.Table("early-basic")!;
    private static readonly string Tag = EarlyBasic.RunsTag;

    private static long _nextId = 1;

    private static PaperRun Run(string method, string model, double? valAcc, double? trainLoss = null, RunStatus status = RunStatus.Succeeded,
        int seed = 0, string? tag = null) =>
        new(_nextId++, method, model, KnownDatasets.FashionMnist, status, seed, [tag ?? Tag], valAcc, trainLoss);

    [Fact]
    public void Stat_IsTheMeanAndTheSampleStandardDeviation()
    {
        var stat = Stat.Of([70.0, 72.0, 74.0])!;

        Assert.Equal(72.0, stat.Mean, 12);
        Assert.Equal(2.0, stat.Std!.Value, 12); // sqrt(((-2)^2 + 0 + 2^2) / (3 - 1))
        Assert.Equal(3, stat.N);
    }

    [Fact]
    public void Stat_OfOneRun_HasNoStandardDeviation_AndOfNoneIsNull()
    {
        Assert.Equal(new Stat(71.5, null, 1), Stat.Of([71.5]));
        Assert.Null(Stat.Of([]));
    }

    [Fact]
    public void Cell_AggregatesItsSucceededRuns_AndTheDifferenceIsFromNoDropoutInTheSameColumn()
    {
        var runs = new[]
        {
            Run(Methods.NoDropout, KnownModels.VitNano, 80, 0.50, seed: 0),
            Run(Methods.NoDropout, KnownModels.VitNano, 82, 0.40, seed: 1),
            Run(Methods.EarlyDropout, KnownModels.VitNano, 83, 0.45, seed: 0),
            Run(Methods.EarlyDropout, KnownModels.VitNano, 84, 0.35, seed: 1),
            Run(Methods.EarlyDropout, KnownModels.VitNano, 85, 0.40, seed: 2),
            Run(Methods.NoDropout, KnownModels.Mixer, 60, 0.9),
        };

        var table = PaperTables.Build(EarlyBasic, EarlyBasicReference, runs);

        var early = table.Cell(Methods.EarlyDropout, KnownModels.VitNano);
        Assert.Equal(runs[2..5].Select(r => r.Id), early.RunIds);
        Assert.Equal((84.0, 1.0, 3), (early.ValAcc!.Mean, early.ValAcc.Std!.Value, early.ValAcc.N));
        Assert.Equal(0.40, early.TrainLoss!.Mean, 12);
        Assert.Equal(0.05, early.TrainLoss.Std!.Value, 12);
        Assert.Equal(84.0 - 81.0, early.DiffFromBaseline!.Value, 12);
        Assert.Null(table.Cell(Methods.NoDropout, KnownModels.VitNano).DiffFromBaseline); // the baseline itself
        Assert.Null(table.Cell(Methods.EarlyDropout, KnownModels.Mixer).ValAcc); // no runs: empty
        Assert.Null(table.Cell(Methods.EarlyDropout, KnownModels.Mixer).DiffFromBaseline);
        Assert.Equal([KnownDatasets.FashionMnist], table.Datasets);
    }

    [Fact]
    public void RunsOfOtherTables_UnfinishedAndFailedRuns_AndCombinedMethods_AreLeftOut()
    {
        var counted = Run(Methods.EarlyDropout, KnownModels.VitNano, 84);
        var runs = new[]
        {
            counted,
            Run(Methods.EarlyDropout, KnownModels.VitNano, 10, tag: PaperPresets.TagFor("early-improved")),
            Run(Methods.EarlyDropout, KnownModels.VitNano, 10, tag: "something-else"),
            Run(Methods.EarlyDropout, KnownModels.VitNano, 10, status: RunStatus.Failed),
            Run(Methods.EarlyDropout, KnownModels.VitNano, 10, status: RunStatus.Diverged),
            Run(Methods.EarlyDropout, KnownModels.VitNano, null, status: RunStatus.Running),
            Run(Methods.EarlyDropout + Methods.Separator + Methods.L2, KnownModels.VitNano, 10),
            Run(Methods.EarlyDropout, KnownModels.Mlp, 10), // not a column of this table
        };

        var table = PaperTables.Build(EarlyBasic, EarlyBasicReference, runs);

        var cell = table.Cell(Methods.EarlyDropout, KnownModels.VitNano);
        Assert.Equal([counted.Id], cell.RunIds);
        Assert.Equal(new Stat(84, null, 1), cell.ValAcc);
        Assert.Equal(1, cell.Pending);
        Assert.Equal(1, table.Rows.SelectMany(r => r.Cells).Sum(c => c.RunIds.Count));
    }

    [Fact]
    public void LateTable_TakesDifferencesFromStandardStochasticDepth_ItsFirstRow()
    {
        var spec = PaperPresets.SpecFor("late-basic")!;
        var runs = new[]
        {
            Run(Methods.StandardStochasticDepth, KnownModels.VitTiny, 70, tag: spec.RunsTag),
            Run(Methods.LateStochasticDepth, KnownModels.VitTiny, 72.5, tag: spec.RunsTag),
        };

        var table = PaperTables.Build(spec, Reference.Table("late-basic")!, runs);

        Assert.Equal(Methods.StandardStochasticDepth, spec.BaselineMethod);
        Assert.Equal(2.5, table.Cell(Methods.LateStochasticDepth, KnownModels.VitTiny).DiffFromBaseline!.Value, 12);
    }

    [Fact]
    public void TrainLossTable_DiffersInLoss_FromTheEarlyBasicRuns()
    {
        var spec = PaperPresets.SpecFor("vit-t-train-loss")!;
        var runs = new[]
        {
            Run(Methods.NoDropout, KnownModels.VitNano, 80, trainLoss: 0.50),
            Run(Methods.EarlyDropout, KnownModels.VitNano, 81, trainLoss: 0.42),
        };

        var table = PaperTables.Build(spec, Reference.Table("vit-t-train-loss")!, runs);

        Assert.Equal(Tag, spec.RunsTag);
        Assert.Equal(0.42 - 0.50, table.Cell(Methods.EarlyDropout, KnownModels.VitNano).DiffFromBaseline!.Value, 12);
    }

    [Fact]
    public void Missing_FillsEveryApplicableCellToThreeSeeds_CountingQueuedRuns_AndSkippingCellsThePaperLeavesEmpty()
    {
        var runs = new[]
        {
            Run(Methods.NoDropout, KnownModels.VitNano, 80, seed: 0),
            Run(Methods.NoDropout, KnownModels.VitNano, null, status: RunStatus.Queued, seed: 2),
            Run(Methods.NoDropout, KnownModels.VitNano, 10, status: RunStatus.Failed, seed: 1),
        };

        var missing = PaperTables.Missing(EarlyBasic, EarlyBasicReference, runs);

        Assert.Equal([new MissingRun(Methods.NoDropout, KnownModels.VitNano, 1)], missing.Where(m => m is { Method: Methods.NoDropout, Model: KnownModels.VitNano }));
        Assert.DoesNotContain(missing, m => m is { Model: KnownModels.ConvNext, Method: Methods.StandardDropout or Methods.EarlyDropout });
        // 5 rows x 3 models, less ConvNeXt's two dropout rows: 13 cells of 3 seeds, less the 2 runs that count.
        Assert.Equal(13 * 3 - 2, missing.Count);
        Assert.Equal(missing.Count, missing.Distinct().Count());
    }

    [Fact]
    public void EveryPaperRowWithAnInstanceTable_MapsToAMethodLabel_AndEveryColumnToAPaperColumn()
    {
        foreach (var spec in PaperPresets.Specs)
        {
            var reference = Reference.Table(spec.TableId);
            Assert.NotNull(reference);
            Assert.Equal(reference.Rows.Select(r => r.Name), spec.Rows.Select(r => r.Key));
            Assert.All(spec.Rows, row => Assert.Contains(row.Value, Methods.All));
            Assert.All(spec.Columns, column => Assert.Contains(column.PaperColumn, reference.Columns));
            Assert.All(spec.Columns, column => Assert.True(KnownModels.IsKnown(column.Model)));
        }
    }

    [Fact]
    public void EveryConfigOfEveryTable_IsValid_CarriesTheTag_AndDescribesAsItsRow()
    {
        foreach (var spec in PaperPresets.Specs)
        {
            foreach (var (_, method) in spec.Rows)
            {
                foreach (var column in spec.Columns)
                {
                    var config = PaperPresets.ConfigFor(spec, method, column.Model, seed: 2);
                    Assert.Empty(RunConfigValidator.Validate(config));
                    Assert.Equal((method, column.Model, 2, KnownDatasets.FashionMnist), (Methods.Describe(config), config.Model, config.Seed, config.Dataset));
                    Assert.Equal([spec.RunsTag], config.Tags);
                }
            }
        }
    }

    [Fact]
    public void Presets_UnderfitEarly_OverfitLate_WithLateStochasticDepthFromMidway()
    {
        var early = PaperPresets.ConfigFor(EarlyBasic, Methods.EarlyDropout, KnownModels.VitNano, 0);
        var late = PaperPresets.ConfigFor(PaperPresets.SpecFor("late-basic")!, Methods.LateStochasticDepth, KnownModels.VitTiny, 0);

        Assert.Null(early.TrainSubset);
        Assert.Equal(MethodPresets.ScaledCutoff(early.Epochs), early.Dropout.CutoffEpoch);
        Assert.Equal((MethodPresets.EarlyDropoutRate, DropMode.Early, DropSchedule.Linear), (early.Dropout.Rate, early.Dropout.Mode, early.Dropout.Schedule));
        Assert.Equal(PaperPresets.LateTrainSubset, late.TrainSubset);
        Assert.True(late.Epochs > early.Epochs);
        Assert.Equal((MethodPresets.LateStochasticDepthRate, DropMode.Late, late.Epochs / 2), (late.DropPath.Rate, late.DropPath.Mode, late.DropPath.CutoffEpoch));
    }

    [Fact]
    public void FineTunePreset_KeepsTheModel_TurnsEveryDropOff_AndNamesTheParent()
    {
        var parent = PaperPresets.ConfigFor(EarlyBasic, Methods.EarlyStochasticDepth, KnownModels.VitNano, 1);

        var fineTune = PaperPresets.FineTune(parent, 42, new DownstreamTask(KnownDatasets.Mnist, 1000));

        Assert.Empty(RunConfigValidator.Validate(fineTune));
        Assert.Equal((KnownModels.VitNano, "42", KnownDatasets.Mnist, 1000), (fineTune.Model, fineTune.ParentRunId, fineTune.Dataset, fineTune.TrainSubset));
        Assert.Equal((0.0, 0.0), (fineTune.Dropout.Rate, fineTune.DropPath.Rate));
        Assert.Equal(Methods.NoDropout, Methods.Describe(fineTune));
        Assert.Equal([PaperPresets.DownstreamTag], fineTune.Tags);
        Assert.True(fineTune.Lr < parent.Lr);
    }

    [Fact]
    public void DownstreamTable_RowsArePreTrainingMethods_ColumnsAreTasks()
    {
        FineTunedRun FineTuned(long id, string parentMethod, string dataset, int? subset, double? acc, RunStatus status = RunStatus.Succeeded, string tag = PaperPresets.DownstreamTag) =>
            new(id, status, [tag], dataset, subset, 100 + id, parentMethod, KnownModels.VitNano, acc);
        var runs = new[]
        {
            FineTuned(1, Methods.EarlyDropout, KnownDatasets.Mnist, null, 90),
            FineTuned(2, Methods.EarlyDropout, KnownDatasets.Mnist, null, 92),
            FineTuned(3, Methods.NoDropout, KnownDatasets.Mnist, null, 88),
            FineTuned(4, Methods.NoDropout, KnownDatasets.FashionMnist, 1000, 70),
            FineTuned(5, Methods.NoDropout, KnownDatasets.FashionMnist, 1000, 10, RunStatus.Failed),
            FineTuned(6, Methods.NoDropout, KnownDatasets.FashionMnist, 1000, 10, tag: "not-downstream"),
        };

        var table = PaperTables.BuildDownstream(runs);

        Assert.Equal([new DownstreamTask(KnownDatasets.FashionMnist, 1000), new DownstreamTask(KnownDatasets.Mnist, null)], table.Tasks);
        Assert.Equal([Methods.NoDropout, Methods.EarlyDropout], table.Rows.Select(r => r.ParentMethod));
        var early = table.Rows[1].Cells[1];
        Assert.Equal([1L, 2L], early.RunIds);
        Assert.Equal((91.0, 2), (early.ValAcc!.Mean, early.ValAcc.N));
        Assert.Null(table.Rows[1].Cells[0].ValAcc);
        Assert.Equal([4L], table.Rows[0].Cells[0].RunIds);
    }

    [Fact]
    public void Numbers_AreWrittenAsThePaperWritesThem()
    {
        Assert.Equal("74.3", PaperFormat.Reference(74.3));
        Assert.Equal("", PaperFormat.Reference(null));
        Assert.Equal("84.0 ± 1.0", PaperFormat.Stat(new Stat(84, 1, 3), 1));
        Assert.Equal("84.0 ± —", PaperFormat.Stat(new Stat(84, null, 1), 1));
        Assert.Equal("+0.4", PaperFormat.Difference(0.4, 1));
        Assert.Equal("−1.2", PaperFormat.Difference(-1.2, 1));
        Assert.Equal("+0.0", PaperFormat.Difference(-0.01, 1));
        Assert.Equal("/compare?runs=3,5,8", AppUrls.CompareRuns([3, 5, 8]));
    }

    [Theory]
    [InlineData("mnist", "mnist", null)]
    [InlineData("fashion-mnist:1000", "fashion-mnist", 1000)]
    public void DownstreamTaskKey_RoundTrips(string key, string dataset, int? subset)
    {
        var task = DownstreamTask.FromKey(key);

        Assert.Equal(new DownstreamTask(dataset, subset), task);
        Assert.Equal(key, task!.Key);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("imagenet")]
    [InlineData("mnist:0")]
    [InlineData("mnist:x")]
    [InlineData("mnist:1:2")]
    public void DownstreamTaskKey_Unknown_IsNull(string? key) => Assert.Null(DownstreamTask.FromKey(key));
}
