using Tracker.Web.Features.Runs.Filtering;

namespace Tracker.Web.Tests.Runs.Filtering;

/// <summary>What the compiler refuses; what it accepts is checked against real databases in the integration tests.</summary>
public class RunFilterTests
{
    [Fact]
    public void UnknownField_IsNamedWithItsColumn_AndTheKnownFieldsAreListed()
    {
        Assert.False(RunFilter.TryCompile("model = mlp AND colour = red", out var predicate, out var error));

        Assert.Null(predicate);
        Assert.Equal(17, error.Column);
        Assert.StartsWith("Unknown field 'colour' at column 17. Known fields: name, project, model,", error.Message, StringComparison.Ordinal);
        Assert.Contains("dropout.rate", error.Message, StringComparison.Ordinal);
        Assert.Contains("max(val/acc)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lr = fast", "lr compares with a number; 'fast' at column 6 is not one.", 6)]
    [InlineData("model > mlp", "'>' does not apply to model at column 1; use =, != or ~.", 1)]
    [InlineData("seed ~ 3", "'~' does not apply to seed at column 1; use =, !=, <, <=, > or >=.", 1)]
    [InlineData("dropout.mode = erly", "'erly' at column 16 is not a dropout.mode; use one of standard, early, late.", 16)]
    [InlineData("status = done", "'done' at column 10 is not a status; use one of queued, running, succeeded, failed, cancelled, diverged.", 10)]
    [InlineData("max(lr) > 1", "max() at column 1 takes a metric key such as val/acc, not 'lr'.", 1)]
    [InlineData("val/acc ~ 8", "'~' does not apply to the metric val/acc at column 1; compare it with =, !=, <, <=, > or >=.", 1)]
    [InlineData("val/acc > high", "val/acc compares with a number; 'high' at column 11 is not one.", 11)]
    public void WrongOperatorOrValue_IsRefusedWithItsColumn(string query, string message, int column)
    {
        Assert.False(RunFilter.TryCompile(query, out _, out var error));

        Assert.Equal(new FilterError(message, column), error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void BlankQuery_CompilesToNoPredicate(string query)
    {
        Assert.True(RunFilter.TryCompile(query, out var predicate, out var error));
        Assert.Null(predicate);
        Assert.Null(error);
    }

    [Fact]
    public void FieldNames_IgnoreCase()
    {
        Assert.True(RunFilter.TryCompile("BATCHSIZE = 64 AND Dropout.Rate > 0 AND STATUS = Running", out var predicate, out _));
        Assert.NotNull(predicate);
    }
}
