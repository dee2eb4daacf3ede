using Tracker.Shared;
using Tracker.Web.Features.Runs;

namespace Tracker.Web.Tests.Runs.RunView;

public class ConfigRowsTests
{
    [Fact]
    public void NestedFields_AreNamedByTheirJsonPath()
    {
        var rows = ConfigRows.Of(new RunConfig { Dropout = new DropSettings { Rate = 0.1, Mode = DropMode.Early, CutoffEpoch = 50 } });

        Assert.Contains(new ConfigRow("dropout.rate", "0.1"), rows);
        Assert.Contains(new ConfigRow("dropout.mode", "early"), rows);
        Assert.Contains(new ConfigRow("dropout.cutoffEpoch", "50"), rows);
    }

    [Fact]
    public void UnsetFields_AreListedAsNotSet()
    {
        var rows = ConfigRows.Of(new RunConfig());

        Assert.Contains(new ConfigRow("earlyStopping", ConfigRows.NotSet), rows);
        Assert.Contains(new ConfigRow("maxStepsPerEpoch", ConfigRows.NotSet), rows);
    }

    [Fact]
    public void Tags_AreOneRow()
    {
        var rows = ConfigRows.Of(new RunConfig { Tags = ["baseline", "vit"] });

        Assert.Contains(new ConfigRow("tags", "baseline, vit"), rows);
    }

    [Fact]
    public void EveryPropertyOfTheConfig_HasARow()
    {
        var rows = ConfigRows.Of(new RunConfig { RDrop = new RDropSettings(), EarlyStopping = new EarlyStoppingSettings() });
        var topLevel = rows.Select(r => r.Field.Split('.')[0]).ToHashSet();

        var properties = typeof(RunConfig).GetProperties().Select(p => char.ToLowerInvariant(p.Name[0]) + p.Name[1..]);
        Assert.All(properties, property => Assert.Contains(property, topLevel));
    }
}
