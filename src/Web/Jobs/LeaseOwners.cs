using System.Diagnostics;
using System.Globalization;

namespace Tracker.Web.Jobs;

/// <summary>
/// Who holds a lease: "{instance}/{process id}@{process start, Unix ms}/{worker}". The instance names the app
/// instance across restarts (<see cref="JobsOptions.InstanceId"/>); the process id with its start time names one
/// process of it, so a restarted instance can tell its previous process's leases (that process is gone) from a live
/// one's, even in a container where every process is pid 1.
/// </summary>
public static class LeaseOwners
{
    public static string InstanceOf(JobsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.InstanceId) ? Environment.MachineName : options.InstanceId;
    }

    /// <summary>This process's part of a lease owner.</summary>
    public static string ProcessOwner(string instanceId)
    {
        using var self = Process.GetCurrentProcess();
        return string.Create(CultureInfo.InvariantCulture,
            $"{InstancePrefix(instanceId)}{Environment.ProcessId}@{new DateTimeOffset(self.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds()}");
    }

    public static string InstancePrefix(string instanceId) => instanceId + "/";

    /// <summary>
    /// True when <paramref name="owner"/> is a lease of <paramref name="instanceId"/> taken by a process that no longer
    /// runs on this machine. An owner written another way (an older version, another tool) is never taken for dead.
    /// </summary>
    public static bool IsOfDeadProcess(string owner, string instanceId)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var prefix = InstancePrefix(instanceId);
        if (!owner.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var process = owner[prefix.Length..].Split('/')[0].Split('@');
        if (process.Length != 2
            || !int.TryParse(process[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(process[1], NumberStyles.None, CultureInfo.InvariantCulture, out var startedMs))
            return false;
        try
        {
            using var candidate = Process.GetProcessById(pid);
            var candidateStartedMs = new DateTimeOffset(candidate.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
            // The same pid with another start time is a new process that reused the number.
            return Math.Abs(candidateStartedMs - startedMs) > 1000;
        }
        catch (ArgumentException)
        {
            return true; // no such process
        }
        catch (InvalidOperationException)
        {
            return true; // it exited while we looked
        }
    }
}
