using System.Diagnostics;
using Tracker.Shared;
using Tracker.Training.Engine;

namespace Tracker.Training.Tests.Engine;

public sealed class SystemMetricsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("trk-sysmetrics-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>An executable script standing in for nvidia-smi, answering with <paramref name="output"/> and <paramref name="exitCode"/>.</summary>
    private string FakeNvidiaSmi(string output, int exitCode = 0)
    {
        var path = Path.Combine(_root, "nvidia-smi");
        File.WriteAllText(path, $"#!/bin/sh\nprintf '{output}'\nexit {exitCode}\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Samples until one carries a GPU key or a few seconds passed: nvidia-smi answers on a background task.</summary>
    private static IReadOnlyDictionary<string, double> SampleWithGpus(SystemMetrics metrics)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Thread.Sleep(20);
            var sample = metrics.SampleIfDue();
            if (sample is not null && (sample.Keys.Any(k => k.StartsWith("sys/gpu", StringComparison.Ordinal)) || clock.Elapsed > TimeSpan.FromSeconds(10)))
                return sample;
        }
    }

    [Fact]
    public void BeforeTheInterval_NoSample_After_CpuShareAndResidentMemoryOfThisProcess()
    {
        Assert.Null(new SystemMetrics(TimeSpan.FromHours(1), nvidiaSmi: null).SampleIfDue());

        var metrics = new SystemMetrics(TimeSpan.FromMilliseconds(100), nvidiaSmi: null);
        var busy = Stopwatch.StartNew();
        var spin = 0L;
        while (busy.ElapsedMilliseconds < 150) spin++; // this thread keeps at least part of one CPU busy
        var sample = metrics.SampleIfDue();

        Assert.NotNull(sample);
        Assert.Equal([MetricKeys.CpuPercent, MetricKeys.RssMb], sample.Keys.Order(StringComparer.Ordinal));
        Assert.InRange(sample[MetricKeys.CpuPercent], 1e-9, 100);
        var workingSetMb = Environment.WorkingSet / (1024.0 * 1024.0);
        Assert.InRange(sample[MetricKeys.RssMb], workingSetMb * 0.5, workingSetMb * 2); // the same resident memory, read another way
        Assert.Null(metrics.SampleIfDue()); // the interval starts again
        Assert.True(spin > 0);
    }

    [Fact]
    public void NvidiaSmiOutput_GivesEachGpusUtilisationAndMemory_AndSkipsWhatItCannotRead()
    {
        var metrics = SystemMetrics.ParseNvidiaSmi("0, 37, 1024\n1, [N/A], 2048\n\n10, 5.5, 81559\nNo devices were found\n");

        Assert.Equal(new Dictionary<string, double>
        {
            ["sys/gpu0/util_percent"] = 37, ["sys/gpu0/memory_mb"] = 1024,
            ["sys/gpu10/util_percent"] = 5.5, ["sys/gpu10/memory_mb"] = 81559,
        }, metrics);
    }

    [Fact]
    public void WithNvidiaSmi_ASampleCarriesItsLatestAnswer()
    {
        var metrics = new SystemMetrics(TimeSpan.FromMilliseconds(1), FakeNvidiaSmi("0, 42, 512\\n1, 7, 300\\n"));

        var sample = SampleWithGpus(metrics);

        Assert.Equal(42, sample[MetricKeys.GpuUtilPercent(0)]);
        Assert.Equal(512, sample[MetricKeys.GpuMemoryMb(0)]);
        Assert.Equal(7, sample[MetricKeys.GpuUtilPercent(1)]);
        Assert.Equal(300, sample[MetricKeys.GpuMemoryMb(1)]);
        Assert.Contains(MetricKeys.RssMb, sample.Keys);
    }

    [Fact]
    public void WithoutNvidiaSmi_OrWhenItFails_NoGpuKeys_AndTheOthersStill()
    {
        foreach (var nvidiaSmi in new[] { null, Path.Combine(_root, "missing", "nvidia-smi"), FakeNvidiaSmi("0, 42, 512\\n", exitCode: 9) })
        {
            var metrics = new SystemMetrics(TimeSpan.FromMilliseconds(1), nvidiaSmi);
            Thread.Sleep(300); // time for a query to answer, had it anything to say
            var sample = metrics.SampleIfDue();
            Assert.NotNull(sample);
            Assert.DoesNotContain(sample.Keys, k => k.StartsWith("sys/gpu", StringComparison.Ordinal));
            Assert.Contains(MetricKeys.RssMb, sample.Keys);
        }
    }

    [Fact]
    public void FindOnPath_FindsAnInstalledProgram_AndNullForNone()
    {
        Assert.NotNull(SystemMetrics.FindOnPath("sh"));
        Assert.Null(SystemMetrics.FindOnPath($"no-such-program-{Guid.NewGuid():N}"));
    }
}
