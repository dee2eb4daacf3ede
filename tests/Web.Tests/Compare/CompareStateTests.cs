using Tracker.Web.Features.Compare;

namespace Tracker.Web.Tests.Compare;

public class CompareStateTests
{
    [Theory]
    [InlineData("runs=3,1,2")]
    [InlineData("runs=1,2&metrics=val/acc,train/loss&smooth=0.6&x=step&group=dropout.rate&hide=1")]
    [InlineData("runs=7&metrics=grad/dir_error&x=time&group=method")]
    [InlineData("runs=7&group=a%26b%3Dc")]
    public void CanonicalQuery_ParsesBackToTheSameState(string query)
    {
        var state = CompareState.FromQuery(query);

        Assert.Empty(state.Problems);
        Assert.Equal(query, state.ToQuery());
        var again = CompareState.FromQuery("?" + state.ToQuery());
        Assert.Equal(state.Runs, again.Runs);
        Assert.Equal(state.Metrics, again.Metrics);
        Assert.Equal(state.Smoothing, again.Smoothing);
        Assert.Equal(state.XAxis, again.XAxis);
        Assert.Equal(state.GroupBy, again.GroupBy);
        Assert.Equal(state.HideIdentical, again.HideIdentical);
    }

    [Fact]
    public void State_BuiltInCode_SurvivesTheUrl()
    {
        var state = new CompareState
        {
            Runs = [5, 9], Metrics = ["val/acc", "val/loss"], Smoothing = 0.85, XAxis = CompareXAxis.Time, GroupBy = "a&b", HideIdentical = true,
        };

        var url = state.ToUrl();
        var back = CompareState.FromQuery(new Uri(new Uri("http://host"), url).Query);

        Assert.StartsWith("/compare?runs=5,9&metrics=val/acc,val/loss&smooth=0.85&x=time&group=a%26b&hide=1", url);
        Assert.True(back.SameViewAs(state));
        Assert.Equal("a&b", back.GroupBy);
        Assert.Equal(CompareXAxis.Time, back.XAxis);
    }

    [Fact]
    public void Defaults_StayOutOfTheUrl()
    {
        var state = CompareState.FromQuery("runs=1&smooth=0&x=epoch&hide=0");

        Assert.Equal("runs=1", state.ToQuery());
        Assert.Equal(CompareState.DefaultMetrics, state.ShownMetrics);
        Assert.Equal("/compare", new CompareState().ToUrl());
    }

    [Fact]
    public void RepeatedRunIds_AreComparedOnce_InTheOrderFirstGiven() =>
        Assert.Equal([2L, 1L], CompareState.FromQuery("runs=2,1,2, 1").Runs);

    [Theory]
    [InlineData("runs=1,abc,-4", "Not run ids: abc, -4.")]
    [InlineData("runs=1&smooth=2", "Smoothing must be a number from 0 to 0.99; '2' was ignored.")]
    [InlineData("runs=1&smooth=x", "Smoothing must be a number from 0 to 0.99; 'x' was ignored.")]
    [InlineData("runs=1&x=wall", "The x axis must be epoch, step or time; 'wall' was ignored.")]
    [InlineData("runs=1&x=1", "The x axis must be epoch, step or time; '1' was ignored.")]
    [InlineData("runs=1&hide=maybe", "hide must be 1 or 0; 'maybe' was ignored.")]
    public void UnusableValues_AreNamed_AndTheRestOfTheViewKept(string query, string problem)
    {
        var state = CompareState.FromQuery(query);

        Assert.Equal([problem], state.Problems);
        Assert.Equal([1L], state.Runs);
        Assert.Equal("runs=1", state.ToQuery());
    }
}
