namespace Tracker.Web.Features.Runs;

/// <summary>
/// What to do about one change: render now, render after <see cref="Delay"/> if <see cref="Ticket"/> is still due
/// then, or nothing (a render is already scheduled).
/// </summary>
public readonly record struct RenderDecision(bool Now, TimeSpan? Delay, long Ticket)
{
    public static RenderDecision RenderNow { get; } = new(true, null, 0);
    public static RenderDecision AlreadyScheduled { get; } = new(false, null, 0);
    public static RenderDecision Later(TimeSpan delay, long ticket) => new(false, delay, ticket);
}

/// <summary>
/// Caps how often live events re-render a view (the run page's charts): a burst of events costs one render per
/// <see cref="MinInterval"/>; what must show at once (an epoch count, a status) the view renders itself. A change that
/// is not due yet is drawn by a render scheduled <paramref name="trailingSlack"/> after it falls due, so that a change
/// arriving once it is due renders first, inline, and the scheduled one is dropped. Not thread-safe: used on the
/// renderer's dispatcher only.
/// </summary>
public sealed class RenderThrottle(TimeSpan minInterval, TimeProvider time, TimeSpan trailingSlack = default)
{
    private long? _lastRender;
    private long _renders;
    private long? _scheduledTicket;

    public TimeSpan MinInterval { get; } = minInterval;

    /// <summary>Decides for one change; the caller renders on <see cref="RenderDecision.Now"/> and then calls <see cref="Rendered"/>.</summary>
    public RenderDecision OnChange()
    {
        var sinceLast = _lastRender is { } last ? time.GetElapsedTime(last) : TimeSpan.MaxValue;
        // Due: render now, even with a render scheduled (its ticket goes stale with this render).
        if (sinceLast >= MinInterval) return RenderDecision.RenderNow;
        if (_scheduledTicket is not null) return RenderDecision.AlreadyScheduled;
        _scheduledTicket = _renders;
        return RenderDecision.Later(MinInterval - sinceLast + trailingSlack, _renders);
    }

    /// <summary>True when the render scheduled with <paramref name="ticket"/> is still wanted: no render happened since.</summary>
    public bool IsDue(long ticket) => _scheduledTicket == ticket && _renders == ticket;

    /// <summary>Records a render; a render scheduled before it is then no longer needed.</summary>
    public void Rendered()
    {
        _lastRender = time.GetTimestamp();
        _renders++;
        _scheduledTicket = null;
    }
}
