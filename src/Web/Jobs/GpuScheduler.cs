using Tracker.Shared;

namespace Tracker.Web.Jobs;

/// <summary>A queued run as the scheduler sees it: its id and the share of a GPU it asks for (never Auto).</summary>
public sealed record WaitingRun(long RunId, GpuShare Share);

/// <summary>Where the scheduler starts a run: a run of the queue and the device it trains on.</summary>
public sealed record Placement(long RunId, string Device);

/// <summary>
/// Places queued runs on a worker's devices. Runs are considered in claim order (priority, then age). A shared run
/// goes to the least-loaded device with a free slot; an exclusive one needs an idle GPU. So that exclusive requests
/// are never starved by a stream of shared ones, an exclusive run that finds no idle GPU reserves the least-loaded
/// GPU: nothing new starts there, it drains, and the exclusive run takes it; later runs may still fill the other
/// devices. The decision is made from the load the worker reports at each claim, so it needs no state of its own.
/// The reservation can move between claims, but only to a GPU with fewer runs or, at the same count, one listed
/// earlier, and the reserved GPU never gains a run: so it moves finitely often and a GPU does drain.
/// </summary>
public static class GpuScheduler
{
    /// <summary>The first run of <paramref name="queue"/> (in claim order) that can start now, and where; null if none.</summary>
    public static Placement? PlaceNext(IEnumerable<WaitingRun> queue, IReadOnlyList<DeviceLoad> devices)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(devices);
        var reserved = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in queue)
        {
            if (run.Share == GpuShare.Auto)
                throw new ArgumentException($"Run {run.RunId}: resolve Auto to a share before scheduling.", nameof(queue));
            var open = devices.Where(d => !reserved.Contains(d.Device)).ToList();
            if (run.Share == GpuShare.Exclusive && devices.Any(d => d.IsGpu))
            {
                var idle = LeastLoaded(open.Where(d => d.IsGpu && d.IsIdle));
                if (idle is not null) return new Placement(run.RunId, idle.Device);
                var toDrain = open.Where(d => d.IsGpu).OrderBy(d => d.Runs).FirstOrDefault();
                if (toDrain is not null) reserved.Add(toDrain.Device);
                continue;
            }
            // A shared run, or any run on a machine without GPUs (there the share means nothing).
            var room = LeastLoaded(open.Where(d => d.HasSharedRoom));
            if (room is not null) return new Placement(run.RunId, room.Device);
        }
        return null;
    }

    /// <summary>The device with the smallest fraction of its slots in use; the first listed wins a tie.</summary>
    private static DeviceLoad? LeastLoaded(IEnumerable<DeviceLoad> devices) =>
        devices.OrderBy(d => (double)d.Runs / Math.Max(1, d.Slots)).ThenBy(d => d.Runs).FirstOrDefault();
}
