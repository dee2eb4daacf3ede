using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs.Filtering;

namespace Tracker.Web.Tests.Data;

public class RunConfigColumnsTests
{
    private static readonly RunConfig Config = new()
    {
        Epochs = 30, BatchSize = 64, Optimizer = OptimizerKind.Sgd, Lr = 0.05, WeightDecay = 0.01, WarmupEpochs = 2, LabelSmoothing = 0.1, Seed = 7,
        Dropout = new DropSettings { Rate = 0.2, Mode = DropMode.Early, Schedule = DropSchedule.Linear, CutoffEpoch = 5 },
        DropPath = new DropSettings { Rate = 0.3, Mode = DropMode.Late, CutoffEpoch = 10 },
        RDrop = new RDropSettings { Alpha = 2 }, DropConnect = new DropConnectSettings { Rate = 0.3 }, L1 = 1e-5, L2 = 1e-4, TrainSubset = 1000,
    };

    [Fact]
    public void EveryFilterableField_HasARunColumn_ThatAQueuedRunFillsWithTheTablesValue()
    {
        var run = Run.FromConfig(Config, new Project { Name = "p" }, DateTime.UnixEpoch);

        foreach (var field in RunConfigFields.All.Where(f => f.Filterable))
        {
            var column = typeof(Run).GetProperty(Run.ConfigColumnName(field.Path));
            Assert.True(column is not null, $"{field.Path} has no column");
            Assert.Equal(field.Read(Config), column.GetValue(run));
        }
    }

    [Fact]
    public void ASectionThatIsOff_LeavesItsColumnsNull()
    {
        var run = Run.FromConfig(new RunConfig(), new Project { Name = "p" }, DateTime.UnixEpoch);

        Assert.Null(run.RDropAlpha);
        Assert.Null(run.DropConnectRate);
        Assert.Equal("adamw", run.Optimizer);
    }

    [Fact]
    public void TheFilterLanguage_KnowsEveryFilterableField_WithItsChoices()
    {
        foreach (var field in RunConfigFields.All.Where(f => f.Filterable))
        {
            var known = RunFilterFields.Find(field.Path);
            Assert.True(known is not null, $"the filter language lacks {field.Path}");
            if (field.Kind == ConfigFieldKind.Choice) Assert.Equal(field.Choices, known.Choices);
        }
    }

    [Fact]
    public void ColumnNames_ArePascalCasePathsWithoutDots()
    {
        Assert.Equal("DropoutCutoffEpoch", Run.ConfigColumnName("dropout.cutoffEpoch"));
        Assert.Equal("RDropAlpha", Run.ConfigColumnName("rDrop.alpha"));
        Assert.Equal("Lr", Run.ConfigColumnName("lr"));
    }
}
