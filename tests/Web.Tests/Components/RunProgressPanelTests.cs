using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs;
using static Tracker.Web.Tests.Runs.RunView.LiveProgressTests;

namespace Tracker.Web.Tests.Components;

public class RunProgressPanelTests : ComponentTest
{
    private static readonly DateTime Started = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly TestClock _clock = new(Started);

    public RunProgressPanelTests()
    {
        Services.AddSingleton<TimeProvider>(_clock);
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    /// <summary>A clock the test sets, whose timers fire when the test says.</summary>
    private sealed class TestClock(DateTime now) : TimeProvider
    {
        private readonly List<Action> _ticks = [];

        public DateTime Now { get; set; } = now;

        public int Timers => _ticks.Count;

        public override DateTimeOffset GetUtcNow() => new(Now, TimeSpan.Zero);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var tick = () => callback(state);
            _ticks.Add(tick);
            return new Timer(() => _ticks.Remove(tick));
        }

        public void Fire()
        {
            foreach (var tick in _ticks.ToList()) tick();
        }

        private sealed class Timer(Action dispose) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() => dispose();
            public ValueTask DisposeAsync()
            {
                dispose();
                return ValueTask.CompletedTask;
            }
        }
    }

    [Fact]
    public void BeforeTheFirstStepEvent_ItSaysAtWhichStepProgressComes()
    {
        var cut = Render<RunProgressPanel>(p => p.Add(c => c.State, State()));

        Assert.Equal("Epoch 1: progress after step 5", cut.Find("[data-testid=epoch-steps]").TextContent.Trim());
        Assert.Equal("estimated after the first progress", cut.Find("[data-testid=eta]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=samples-per-second]"));
    }

    [Fact]
    public async Task StepEvents_ShowStepsOfTheEpoch_Speed_AndATimeLeftThatTheTimerCountsDown()
    {
        var state = State(epochs: 1);
        state.Apply(Step(5, 5));
        state.Apply(Step(10, 7));
        _clock.Now = Started.AddSeconds(7);

        var cut = Render<RunProgressPanel>(p => p.Add(c => c.State, state));

        Assert.Equal("Epoch 1: step 10 of 469", cut.Find("[data-testid=epoch-steps]").TextContent.Trim());
        Assert.Equal("320 samples/s", cut.Find("[data-testid=samples-per-second]").TextContent.Trim());
        Assert.Equal("3 min 3 s", cut.Find("[data-testid=eta]").TextContent.Trim()); // 459 steps at 2.5 steps/s
        Assert.Equal("1", cut.Find("[data-testid=epochs-planned]").TextContent);

        // No event comes; a tick of the timer redraws the line with the time that passed.
        _clock.Now = Started.AddSeconds(67);
        await cut.InvokeAsync(_clock.Fire);

        Assert.Equal("2 min 3 s", cut.Find("[data-testid=eta]").TextContent.Trim());
    }

    [Fact]
    public async Task AFinishedRun_StopsTheTimer_AndShowsNoStepsOrSpeed()
    {
        var state = State();
        var cut = Render<RunProgressPanel>(p => p.Add(c => c.State, state));
        Assert.Equal(1, _clock.Timers);

        state.Apply(new Tracker.Shared.RunFinishedEvent { Status = Tracker.Shared.RunOutcome.Succeeded, Summary = new Tracker.Shared.RunOutcomeSummary { EpochsCompleted = 2 } });
        await cut.InvokeAsync(_clock.Fire);

        Assert.Equal(0, _clock.Timers);
        Assert.Empty(cut.FindAll("[data-testid=epoch-steps]"));
        Assert.Equal("—", cut.Find("[data-testid=eta]").TextContent.Trim());
        Assert.Equal("2", cut.Find("[data-testid=epochs-completed]").TextContent);
    }

    [Fact]
    public void AQueuedRunThatIsNotLive_StartsNoTimer()
    {
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Static", isInteractive: false));

        Render<RunProgressPanel>(p => p.Add(c => c.State, State(RunStatus.Queued)));

        Assert.Equal(0, _clock.Timers);
    }
}
