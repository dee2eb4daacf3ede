using Tracker.Shared;
using Tracker.Web.Features.Compare;

namespace Tracker.Web.Tests.Compare;

public class ConfigFieldsTests
{
    [Fact]
    public void Flatten_WritesNestedFieldsAsDottedPaths_AfterTheMethod()
    {
        var config = new RunConfig { Name = "a", Seed = 3, Dropout = new DropSettings { Rate = 0.1, Mode = DropMode.Early, CutoffEpoch = 50 } };

        var fields = ConfigFields.Flatten(config);

        Assert.Equal(ConfigFields.MethodPath, fields[0].Key);
        Assert.Equal(Methods.Describe(config), fields[0].Value);
        var byPath = fields.ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal("0.1", byPath["dropout.rate"]);
        Assert.Equal("early", byPath["dropout.mode"]);
        Assert.Equal("50", byPath["dropout.cutoffEpoch"]);
        Assert.Equal("3", byPath["seed"]);
        Assert.Equal("a", byPath["name"]);
        Assert.DoesNotContain("rDrop.alpha", byPath.Keys);
    }

    [Fact]
    public void Diff_HasEveryFieldOfAnyRun_AndMarksTheOnesThatDiffer()
    {
        var plain = ConfigFields.Flatten(new RunConfig { Name = "a", Seed = 1 });
        var rDrop = ConfigFields.Flatten(new RunConfig { Name = "a", Seed = 2, RDrop = new RDropSettings { Alpha = 0.5 } });

        var rows = ConfigFields.Diff([plain, rDrop], hideIdentical: false).ToDictionary(r => r.Path);

        Assert.False(rows["name"].Differs);
        Assert.True(rows["seed"].Differs);
        Assert.Equal(["1", "2"], rows["seed"].Values);
        // A field only one run has differs, and the other run's cell is empty.
        Assert.True(rows["rDrop.alpha"].Differs);
        Assert.Equal([null, "0.5"], rows["rDrop.alpha"].Values);
    }

    [Fact]
    public void Diff_HidingIdenticalRows_KeepsOnlyTheDifferences()
    {
        var one = ConfigFields.Flatten(new RunConfig { Seed = 1, Lr = 0.001 });
        var two = ConfigFields.Flatten(new RunConfig { Seed = 2, Lr = 0.001 });

        var rows = ConfigFields.Diff([one, two], hideIdentical: true);

        Assert.Equal(["seed"], rows.Select(r => r.Path));
    }

    [Fact]
    public void GroupValue_OfAFieldTheRunLacks_IsNotSet()
    {
        var fields = ConfigFields.Flatten(new RunConfig());

        Assert.Equal(ConfigFields.NotSet, ConfigFields.GroupValue(fields, "rDrop.alpha"));
        Assert.Equal("mlp", ConfigFields.GroupValue(fields, "model"));
    }
}
