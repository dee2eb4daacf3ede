using Tracker.Web.Features.Runs;

namespace Tracker.Web.Tests.Runs.RunView;

public class RenderThrottleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;

        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    [Fact]
    public void FirstChange_RendersAtOnce()
    {
        var throttle = new RenderThrottle(Interval, new ManualClock());

        Assert.True(throttle.OnChange().Now);
    }

    [Fact]
    public void ChangesWithinTheInterval_ScheduleOneRender_ForTheRestOfTheInterval()
    {
        var clock = new ManualClock();
        var throttle = new RenderThrottle(Interval, clock);
        throttle.Rendered();
        clock.Advance(TimeSpan.FromMilliseconds(30));

        var first = throttle.OnChange();
        var second = throttle.OnChange();

        Assert.False(first.Now);
        Assert.Equal(TimeSpan.FromMilliseconds(70), first.Delay);
        Assert.True(throttle.IsDue(first.Ticket));
        Assert.Equal(RenderDecision.AlreadyScheduled, second);
    }

    /// <summary>The run page's charts: a change that falls due is drawn by the next change inline, before the scheduled render.</summary>
    [Fact]
    public void WithTrailingSlack_TheScheduledRenderComesLate_SoAChangeOnceDueRendersFirst_AndTheScheduledOneIsDropped()
    {
        var clock = new ManualClock();
        var throttle = new RenderThrottle(Interval, clock, trailingSlack: TimeSpan.FromMilliseconds(50));
        throttle.Rendered();
        clock.Advance(TimeSpan.FromMilliseconds(30));

        var scheduled = throttle.OnChange();
        clock.Advance(TimeSpan.FromMilliseconds(80)); // due now, and the scheduled render (at 150 ms) has not fired
        var next = throttle.OnChange();

        Assert.Equal(TimeSpan.FromMilliseconds(120), scheduled.Delay);
        Assert.True(next.Now);
        throttle.Rendered();
        Assert.False(throttle.IsDue(scheduled.Ticket));
    }

    [Fact]
    public void ScheduledRender_IsNoLongerDue_AfterAnotherRender()
    {
        var clock = new ManualClock();
        var throttle = new RenderThrottle(Interval, clock);
        throttle.Rendered();
        var scheduled = throttle.OnChange();

        throttle.Rendered(); // an epoch event rendered meanwhile
        clock.Advance(TimeSpan.FromMilliseconds(10));
        var next = throttle.OnChange();

        Assert.False(throttle.IsDue(scheduled.Ticket));
        Assert.NotNull(next.Delay);
        Assert.True(throttle.IsDue(next.Ticket));
    }

    [Fact]
    public void ChangeAfterTheInterval_RendersAtOnce()
    {
        var clock = new ManualClock();
        var throttle = new RenderThrottle(Interval, clock);
        throttle.Rendered();
        clock.Advance(Interval);

        Assert.True(throttle.OnChange().Now);
    }
}
