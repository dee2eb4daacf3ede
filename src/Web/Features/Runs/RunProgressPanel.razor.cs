using System.Globalization;
using Microsoft.AspNetCore.Components;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// The run page's progress line: epochs, steps of the epoch in progress, training speed and time left. While the run
/// runs it redraws itself every <see cref="Tick"/>, so the time left counts down between the run's events.
/// </summary>
public sealed partial class RunProgressPanel : IDisposable
{
    /// <summary>How often the line is redrawn while the run runs: a countdown in seconds.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private ITimer? _timer;

    [Inject] private TimeProvider Time { get; set; } = default!;

    /// <summary>The run as the page keeps it; the page re-renders this panel when an event changed it.</summary>
    [Parameter, EditorRequired] public RunLiveState State { get; set; } = default!;

    protected override void OnParametersSet()
    {
        // Only a live page ticks: a prerender or a finished run has nothing to count down.
        if (_timer is null && RendererInfo.IsInteractive && State.IsActive)
            _timer = Time.CreateTimer(_ => _ = InvokeAsync(OnTick), null, Tick, Tick);
    }

    /// <summary>Redraws the line alone, when the page knows that only the run's progress changed (a new epoch).</summary>
    public void Refresh() => StateHasChanged();

    private void OnTick()
    {
        if (!State.IsActive)
        {
            _timer?.Dispose();
            _timer = null;
        }
        StateHasChanged();
    }

    /// <summary>What the line says before the epoch's first step event: when progress will show.</summary>
    private string FirstProgressText
    {
        get
        {
            var every = State.Config.StepEventEvery;
            var epoch = State.EpochsCompleted + 1;
            return every > 0
                ? $"Epoch {epoch}: progress after step {Count(State.LatestStep / every * every + every)}"
                : $"Epoch {epoch}: progress at its end (step metrics are off)";
        }
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Speed(double samplesPerSecond) =>
        samplesPerSecond.ToString(samplesPerSecond >= 100 ? "N0" : "0.#", CultureInfo.InvariantCulture);

    public void Dispose() => _timer?.Dispose();
}
