namespace Tracker.Benchmarks;

/// <summary>What the benchmarks print about the machine beside their figures.</summary>
internal static class Machine
{
    /// <summary>The 1-minute load average: a figure is only as good as the machine was idle.</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
