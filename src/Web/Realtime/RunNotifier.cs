using Tracker.Shared;

namespace Tracker.Web.Realtime;

/// <summary>
/// In-process publish/subscribe of a run's training events. Blazor components subscribe here
/// instead of opening a SignalR connection back to their own server. A failing subscriber is
/// logged and never stops the others or the publisher.
/// </summary>
public sealed class RunNotifier(ILogger<RunNotifier> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, List<Func<TrainingEvent, Task>>> _subscribers = [];

    /// <summary>Calls <paramref name="handler"/> for every event of the run until the returned handle is disposed.</summary>
    public IDisposable Subscribe(long runId, Func<TrainingEvent, Task> handler)
    {
        lock (_gate)
        {
            if (!_subscribers.TryGetValue(runId, out var handlers)) _subscribers[runId] = handlers = [];
            handlers.Add(handler);
        }
        return new Subscription(() => Unsubscribe(runId, handler));
    }

    public async Task PublishAsync(long runId, TrainingEvent trainingEvent)
    {
        Func<TrainingEvent, Task>[] handlers;
        lock (_gate)
        {
            if (!_subscribers.TryGetValue(runId, out var list)) return;
            handlers = [.. list];
        }
        foreach (var handler in handlers)
        {
            try
            {
                await handler(trainingEvent);
            }
            catch (Exception error)
            {
                logger.LogWarning(error, "A subscriber of run {RunId} failed on a {Event} event", runId, trainingEvent.GetType().Name);
            }
        }
    }

    private void Unsubscribe(long runId, Func<TrainingEvent, Task> handler)
    {
        lock (_gate)
        {
            if (!_subscribers.TryGetValue(runId, out var handlers)) return;
            handlers.Remove(handler);
            if (handlers.Count == 0) _subscribers.Remove(runId);
        }
    }

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        private Action? _unsubscribe = unsubscribe;

        public void Dispose() => Interlocked.Exchange(ref _unsubscribe, null)?.Invoke();
    }
}
