namespace Tracker.Shared.Tests;

/// <summary>The paper fine-tunes with dropout off: a fine-tune config that asks for it is refused at the field.</summary>
public class FineTuneValidationTests
{
    private static readonly RunConfig FineTune = new() { Name = "fine-tune", Model = KnownModels.VitNano, Epochs = 5, ParentRunId = "12" };

    [Fact]
    public void FineTuneConfig_WithoutDropout_IsValid() => Assert.Empty(RunConfigValidator.Validate(FineTune));

    [Theory]
    [InlineData(Methods.StandardDropout, "dropout.rate")]
    [InlineData(Methods.EarlyDropout, "dropout.rate")]
    [InlineData(Methods.StandardStochasticDepth, "dropPath.rate")]
    [InlineData(Methods.LateStochasticDepth, "dropPath.rate")]
    [InlineData(Methods.DropConnect, "dropConnect")]
    public void FineTuneConfig_WithADropMethod_IsRejectedAtItsField(string method, string field)
    {
        var config = MethodPresets.Apply(method, FineTune);

        var error = Assert.Single(RunConfigValidator.Validate(config));

        Assert.Equal(field, error.Field);
        Assert.Contains("fine-tuning", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void SameDropoutWithoutAParent_IsValid() =>
        Assert.Empty(RunConfigValidator.Validate(MethodPresets.Apply(Methods.EarlyDropout, FineTune with { ParentRunId = null })));

    [Fact]
    public void BlankParent_IsRejected() =>
        Assert.Equal("parentRunId", Assert.Single(RunConfigValidator.Validate(FineTune with { ParentRunId = " " })).Field);
}
