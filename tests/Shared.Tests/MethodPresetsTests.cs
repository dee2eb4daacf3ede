namespace Tracker.Shared.Tests;

public class MethodPresetsTests
{
    private static readonly RunConfig Base = new() { Name = "base", Model = KnownModels.VitTiny, Epochs = 300, Lr = 4e-3 };

    [Theory]
    [InlineData(300, 50)]
    [InlineData(60, 10)]
    [InlineData(12, 2)]
    [InlineData(3, 1)] // 0.5 rounds up, not to even
    [InlineData(2, 1)]
    [InlineData(1, 1)]
    public void Cutoff_IsThePapers50Of300_ScaledToTheRun(int epochs, int cutoff) =>
        Assert.Equal(cutoff, MethodPresets.ScaledCutoff(epochs));

    [Fact]
    public void EarlyDropout_IsLinearFrom0Point1ToTheCutoff()
    {
        var config = MethodPresets.Apply(Methods.EarlyDropout, Base);

        Assert.Equal(new DropSettings { Rate = 0.1, Mode = DropMode.Early, Schedule = DropSchedule.Linear, CutoffEpoch = 50 }, config.Dropout);
        Assert.Equal(0, config.DropPath.Rate);
    }

    [Fact]
    public void EarlyStochasticDepth_IsLinearFrom0Point5()
    {
        var config = MethodPresets.Apply(Methods.EarlyStochasticDepth, Base with { Epochs = 60 });

        Assert.Equal(new DropSettings { Rate = 0.5, Mode = DropMode.Early, Schedule = DropSchedule.Linear, CutoffEpoch = 10 }, config.DropPath);
        Assert.Equal(0, config.Dropout.Rate);
    }

    [Fact]
    public void LateStochasticDepth_IsConstant0Point4AfterTheCutoff()
    {
        var config = MethodPresets.Apply(Methods.LateStochasticDepth, Base);

        Assert.Equal(new DropSettings { Rate = 0.4, Mode = DropMode.Late, Schedule = DropSchedule.Constant, CutoffEpoch = 50 }, config.DropPath);
    }

    [Fact]
    public void StandardDropout_IsConstant0Point1()
    {
        var config = MethodPresets.Apply(Methods.StandardDropout, Base);

        Assert.Equal(new DropSettings { Rate = 0.1 }, config.Dropout);
    }

    [Fact]
    public void NoDropout_ClearsEveryRegularizer()
    {
        var busy = Base with
        {
            Dropout = new DropSettings { Rate = 0.3 },
            DropPath = new DropSettings { Rate = 0.2 },
            RDrop = new RDropSettings(),
            DropConnect = new DropConnectSettings(),
            L1 = 1,
            L2 = 1,
        };

        var config = MethodPresets.Apply(Methods.NoDropout, busy);

        Assert.Equal(Methods.NoDropout, Methods.Describe(config));
        Assert.Null(config.RDrop);
        Assert.Null(config.DropConnect);
    }

    [Fact]
    public void EveryLabel_DescribesBackToItself()
    {
        foreach (var label in Methods.All)
        {
            Assert.Equal(label, Methods.Describe(MethodPresets.Apply(label, Base)));
        }
    }

    [Fact]
    public void Apply_KeepsEverythingButRegularization()
    {
        var config = MethodPresets.Apply(Methods.EarlyDropout, Base with { Tags = ["a"], WeightDecay = 0.05, Seed = 3 });

        Assert.Equal("base", config.Name);
        Assert.Equal(4e-3, config.Lr);
        Assert.Equal(0.05, config.WeightDecay);
        Assert.Equal(3, config.Seed);
        Assert.Equal(["a"], config.Tags);
    }

    [Fact]
    public void UnknownLabel_ThrowsListingTheKnownOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => MethodPresets.Apply("earlier dropout", Base));

        Assert.Contains("'earlier dropout'", ex.Message);
        Assert.Contains("early s.d.", ex.Message);
    }
}
