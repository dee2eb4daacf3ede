using Tracker.Web.Components.Library;

namespace Tracker.Web.Tests.Components;

public class ChartDrawsTests
{
    [Fact]
    public async Task ASecondDraw_StartsOnlyOnceTheFirstHasReturned()
    {
        using var draws = new ChartDraws();
        var firstRunning = new TaskCompletionSource();
        var firstDone = new TaskCompletionSource();
        var secondStarted = false;

        var first = draws.DrawAsync(async () =>
        {
            firstRunning.SetResult();
            await firstDone.Task;
        });
        await firstRunning.Task;
        var second = draws.DrawAsync(() =>
        {
            secondStarted = true;
            return Task.CompletedTask;
        });

        await Task.Delay(50);
        Assert.False(secondStarted);
        firstDone.SetResult();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(secondStarted);
    }

    [Fact]
    public async Task ADrawCancelledWhileItWaits_NeverRuns_AndTheNextOneStill_Does()
    {
        using var draws = new ChartDraws();
        var firstDone = new TaskCompletionSource();
        var first = draws.DrawAsync(() => firstDone.Task);
        using var leaving = new CancellationTokenSource();
        var cancelledRan = false;

        var cancelled = draws.DrawAsync(() =>
        {
            cancelledRan = true;
            return Task.CompletedTask;
        }, leaving.Token);
        await leaving.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        firstDone.SetResult();
        await first;
        var thirdRan = false;
        await draws.DrawAsync(() =>
        {
            thirdRan = true;
            return Task.CompletedTask;
        }).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(cancelledRan);
        Assert.True(thirdRan);
    }

    [Fact]
    public async Task ADrawThatThrows_LetsTheNextOneRun()
    {
        using var draws = new ChartDraws();
        await Assert.ThrowsAsync<InvalidOperationException>(() => draws.DrawAsync(() => throw new InvalidOperationException("no plot")));

        var ran = false;
        await draws.DrawAsync(() =>
        {
            ran = true;
            return Task.CompletedTask;
        }).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(ran);
    }
}
