using System.Diagnostics;
using System.Globalization;
using Tracker.Shared;

namespace Tracker.Training.Engine;

/// <summary>
/// System metrics of the machine a run trains on, as the Python client reports them (<see cref="MetricKeys.CpuPercent"/>,
/// <see cref="MetricKeys.RssMb"/>, per GPU <see cref="MetricKeys.GpuUtilPercent"/> and <see cref="MetricKeys.GpuMemoryMb"/>).
/// The trainer asks at each step boundary (<see cref="SampleIfDue"/>): that costs a clock read until an interval has
/// passed, then two small /proc reads. nvidia-smi takes tens of milliseconds, so it runs on a background task and a
/// sample carries its latest answer. Without /proc (not Linux) or nvidia-smi, those keys are simply absent.
/// </summary>
public sealed class SystemMetrics
{
    private static readonly TimeSpan NvidiaSmiTimeout = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _interval;
    private readonly string? _nvidiaSmi;
    private readonly Stopwatch _sinceLastSample = Stopwatch.StartNew();
    private (long Busy, long Total)? _cpuTimes;
    private volatile IReadOnlyDictionary<string, double> _gpus = new Dictionary<string, double>();
    private Task? _gpuQuery;

    /// <param name="interval">At least this long between samples.</param>
    /// <param name="nvidiaSmi">The nvidia-smi executable; null = none (no GPU keys). <see cref="FindOnPath"/> finds the installed one.</param>
    public SystemMetrics(TimeSpan interval, string? nvidiaSmi)
    {
        _interval = interval;
        _nvidiaSmi = nvidiaSmi;
        _cpuTimes = ReadCpuTimes(); // the first sample's CPU share covers the time from here
        StartGpuQuery(); // so the first sample already has an answer
    }

    /// <summary>The full path of <paramref name="program"/> in a PATH folder; null when it is in none.</summary>
    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);

    /// <summary>A sample when <c>interval</c> has passed since the last (or since construction); null before that.</summary>
    public IReadOnlyDictionary<string, double>? SampleIfDue()
    {
        if (_sinceLastSample.Elapsed < _interval) return null;
        _sinceLastSample.Restart();
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        var cpuTimes = ReadCpuTimes();
        if (_cpuTimes is { } previous && cpuTimes is { } current && current.Total > previous.Total)
            metrics[MetricKeys.CpuPercent] = 100.0 * (current.Busy - previous.Busy) / (current.Total - previous.Total);
        _cpuTimes = cpuTimes;
        if (ReadRssMb() is { } rss) metrics[MetricKeys.RssMb] = rss;
        foreach (var (key, value) in _gpus) metrics[key] = value;
        StartGpuQuery();
        return metrics;
    }

    /// <summary>
    /// nvidia-smi's <c>--query-gpu=index,utilization.gpu,memory.used --format=csv,noheader,nounits</c> answer as metrics;
    /// a line it cannot read (e.g. "[N/A]" on a GPU that does not report utilisation) is left out.
    /// </summary>
    public static IReadOnlyDictionary<string, double> ParseNvidiaSmi(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length < 3
                || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var utilisation)
                || !double.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var memory))
                continue;
            metrics[MetricKeys.GpuUtilPercent(index)] = utilisation;
            metrics[MetricKeys.GpuMemoryMb(index)] = memory;
        }
        return metrics;
    }

    private void StartGpuQuery()
    {
        if (_nvidiaSmi is null || _gpuQuery is { IsCompleted: false }) return; // one query at a time
        _gpuQuery = Task.Run(() => _gpus = QueryGpus(_nvidiaSmi));
    }

    /// <summary>The GPUs' metrics now; none when nvidia-smi fails, hangs or cannot be started (it is optional).</summary>
    private static IReadOnlyDictionary<string, double> QueryGpus(string nvidiaSmi)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(nvidiaSmi, ["--query-gpu=index,utilization.gpu,memory.used", "--format=csv,noheader,nounits"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null) return new Dictionary<string, double>();
            _ = process.StandardError.ReadToEndAsync(); // drained so a chatty failure cannot block it
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(NvidiaSmiTimeout))
            {
                process.Kill(entireProcessTree: true);
                return new Dictionary<string, double>();
            }
            return process.ExitCode == 0 ? ParseNvidiaSmi(output.GetAwaiter().GetResult()) : new Dictionary<string, double>();
        }
        catch (Exception error) when (error is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return new Dictionary<string, double>();
        }
    }

    /// <summary>(busy, total) jiffies of all CPUs from the first line of /proc/stat, counted as the Python client counts them; null without one.</summary>
    private static (long Busy, long Total)? ReadCpuTimes()
    {
        try
        {
            using var stat = new StreamReader("/proc/stat");
            var fields = (stat.ReadLine() ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToList();
            if (fields.Count < 4) return null;
            var idle = fields[3] + (fields.Count > 4 ? fields[4] : 0); // idle + iowait
            var total = fields.Take(8).Sum();
            return (total - idle, total);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>This process's resident memory in MB from /proc/self/status (VmRSS, in kB); null without one.</summary>
    private static double? ReadRssMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            return null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
