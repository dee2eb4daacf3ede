namespace Tracker.Web.Components.Library;

/// <summary>
/// The charts of one circuit draw one at a time. A Plotly draw is a task of tens of milliseconds on the browser's main
/// thread, and a live page's charts all change in the same render: sent together, their draws ran back to back and a
/// render batch that came meanwhile (the run page's epoch count) waited for all of them. One at a time, each draw's
/// call returns before the next is sent, so such a batch waits for one draw at most (benchmarks/latency, decision 0011).
/// Scoped: one per circuit, which is one browser tab.
/// </summary>
public sealed class ChartDraws : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);

    /// <summary>Runs <paramref name="draw"/> once no other chart of the circuit is drawing.</summary>
    public async Task DrawAsync(Func<Task> draw, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draw);
        await _one.WaitAsync(cancellationToken);
        try
        {
            await draw();
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose() => _one.Dispose();
}
