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
    private readonly List<Func<long, TrainingEvent, Task>> _everyRunSubscribers = [];

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

    /// <summary>
    /// Calls <paramref name="handler"/> with the run id for every event of every run, until the handle is disposed:
    /// for services that act on runs as they go (early stopping, webhooks). Keep it quick; it runs on the publisher's path.
    /// </summary>
    public IDisposable SubscribeAll(Func<long, TrainingEvent, Task> handler)
    {
        lock (_gate) _everyRunSubscribers.Add(handler);
        return new Subscription(() => { lock (_gate) _everyRunSubscribers.Remove(handler); });
    }

    public async Task PublishAsync(long runId, TrainingEvent trainingEvent)
    {
        Func<TrainingEvent, Task>[] handlers;
        lock (_gate)
        {
            handlers = _subscribers.TryGetValue(runId, out var list) ? [.. list] : [];
            handlers = [.. handlers, .. _everyRunSubscribers.Select(all => (Func<TrainingEvent, Task>)(e => all(runId, e)))];
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
