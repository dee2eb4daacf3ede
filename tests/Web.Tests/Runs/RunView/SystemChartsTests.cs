using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs;

namespace Tracker.Web.Tests.Runs.RunView;

public class SystemChartsTests
{
    private static RunLiveState State()
    {
        var detail = new RunDetail(7, "run", "default", "no dropout", RunStatus.Running, null, [], new RunConfig { Name = "run", Epochs = 2 }, 0, 0,
            new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc), null, null, null, null, null, new Dictionary<string, MetricSummary>());
        return new RunLiveState(detail, new RunMetrics(7, []));
    }

    [Fact]
    public void ARunWithoutSystemMetrics_HasNoSystemCharts()
    {
        var state = State();
        state.Apply(new StepEvent { Step = 1, Epoch = 1, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 2.3 } });

        Assert.Empty(SystemCharts.For(state.Keys));
    }

    [Fact]
    public void TheTrainersSystemEvents_GiveCpuMemoryAndOneGpuLinePerReportingGpu_InGpuOrder()
    {
        var state = State();
        foreach (var step in new long[] { 10, 20 })
            state.Apply(new AnalysisEvent
            {
                Step = step, Epoch = 1,
                Metrics = new Dictionary<string, double>
                {
                    [MetricKeys.CpuPercent] = 55, [MetricKeys.RssMb] = 812,
                    [MetricKeys.GpuUtilPercent(10)] = 90, [MetricKeys.GpuMemoryMb(10)] = 4000,
                    [MetricKeys.GpuUtilPercent(2)] = 80, [MetricKeys.GpuMemoryMb(2)] = 3000,
                },
            });

        var charts = SystemCharts.For(state.Keys);

        Assert.Equal(["CPU use (%)", "Process memory (MB)", "GPU utilisation (%)", "GPU memory (MB)"], charts.Select(c => c.Title));
        Assert.Equal(["sys/cpu_percent"], charts[0].Keys);
        Assert.Equal(["sys/rss_mb"], charts[1].Keys);
        Assert.Equal(["sys/gpu2/util_percent", "sys/gpu10/util_percent"], charts[2].Keys);
        Assert.Equal(["sys/gpu2/memory_mb", "sys/gpu10/memory_mb"], charts[3].Keys);
        Assert.Equal(2, state.StepSeries(charts[2].Keys[1]).Count);
    }

    [Fact]
    public void APythonScriptsPointsWithoutGpus_GiveOnlyTheCpuAndMemoryCharts()
    {
        var state = State();
        // The names the Python client (tracker_client/_system.py) writes, spelled out: the page must read them as they are.
        state.Apply(new PointsEvent { Seq = 1, Points = [new("sys/cpu_percent", 3, 12.5), new("sys/rss_mb", 3, 300), new("sys/gpu_total", 3, 1)] });

        Assert.Equal(["CPU use (%)", "Process memory (MB)"], SystemCharts.For(state.Keys).Select(c => c.Title));
    }
}
