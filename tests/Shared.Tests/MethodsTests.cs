namespace Tracker.Shared.Tests;

public class MethodsTests
{
    private static readonly RunConfig Base = new() { Model = KnownModels.VitTiny, Epochs = 300 };

    private static DropSettings Drop(double rate, DropMode mode) => new() { Rate = rate, Mode = mode, CutoffEpoch = 50 };

    [Fact]
    public void Labels_AreSpelledAsInThePaper()
    {
        Assert.Equal(
            ["no dropout", "standard dropout", "early dropout", "late dropout", "standard s.d.", "early s.d.", "late s.d.", "R-Drop", "DropConnect", "L1", "L2"],
            Methods.All);
    }

    [Fact]
    public void NoRegularizer_IsNoDropout() => Assert.Equal("no dropout", Methods.Describe(Base));

    [Fact]
    public void WeightDecayAlone_IsStillNoDropout() =>
        Assert.Equal(Methods.NoDropout, Methods.Describe(Base with { WeightDecay = 0.3 }));

    [Theory]
    [InlineData(DropMode.Standard, "standard dropout")]
    [InlineData(DropMode.Early, "early dropout")]
    [InlineData(DropMode.Late, "late dropout")]
    public void Dropout_IsNamedByItsMode(DropMode mode, string expected) =>
        Assert.Equal(expected, Methods.Describe(Base with { Dropout = Drop(0.1, mode) }));

    [Theory]
    [InlineData(DropMode.Standard, "standard s.d.")]
    [InlineData(DropMode.Early, "early s.d.")]
    [InlineData(DropMode.Late, "late s.d.")]
    public void StochasticDepth_IsNamedByItsMode(DropMode mode, string expected) =>
        Assert.Equal(expected, Methods.Describe(Base with { DropPath = Drop(0.1, mode) }));

    [Fact]
    public void ZeroRate_DoesNotCountWhateverTheMode() =>
        Assert.Equal(Methods.NoDropout, Methods.Describe(Base with { Dropout = Drop(0, DropMode.Early) }));

    [Fact]
    public void RDrop_IncludesItsStandardDropout() =>
        Assert.Equal("R-Drop", Methods.Describe(Base with { Dropout = Drop(0.1, DropMode.Standard), RDrop = new RDropSettings() }));

    [Fact]
    public void RDrop_WithEarlyDropout_NamesBoth() =>
        Assert.Equal("early dropout + R-Drop", Methods.Describe(Base with { Dropout = Drop(0.1, DropMode.Early), RDrop = new RDropSettings() }));

    [Fact]
    public void DropConnect_IsNamed() =>
        Assert.Equal("DropConnect", Methods.Describe(Base with { DropConnect = new DropConnectSettings() }));

    [Fact]
    public void DropConnectWithZeroRate_DoesNotCount() =>
        Assert.Equal(Methods.NoDropout, Methods.Describe(Base with { DropConnect = new DropConnectSettings { Rate = 0 } }));

    [Fact]
    public void L1_IsNamed() => Assert.Equal("L1", Methods.Describe(Base with { L1 = 1e-5 }));

    [Fact]
    public void L2_IsNamed() => Assert.Equal("L2", Methods.Describe(Base with { L2 = 1e-4 }));

    [Fact]
    public void Combinations_AreJoinedInAFixedOrder()
    {
        var config = Base with { L2 = 1e-4, L1 = 1e-5, DropPath = Drop(0.1, DropMode.Late), Dropout = Drop(0.1, DropMode.Early) };

        Assert.Equal("early dropout + late s.d. + L1 + L2", Methods.Describe(config));
    }
}
