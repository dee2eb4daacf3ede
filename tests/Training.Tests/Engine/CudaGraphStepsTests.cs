using Tracker.Shared;
using Tracker.Training.Engine;
using Tracker.Training.Tests.Data;
using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Engine;

public sealed class CudaGraphStepsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"trk-graphs-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static RunConfig Config(DeviceKind device) => new()
    {
        Name = "graphs",
        Model = KnownModels.Mlp,
        Dataset = KnownDatasets.Synthetic,
        Epochs = 2,
        BatchSize = 32,
        TrainSubset = 200, // 6 full batches and one of 8: two graph shapes
        Seed = 3,
        Device = device,
        Dropout = new DropSettings { Rate = 0.1 },
        Analysis = new AnalysisSettings { EverySteps = 0 },
    };

    [Fact]
    public void OnTheCpu_StepsRunEagerly_AndSaySo()
    {
        Assert.Equal("eager (CUDA graphs are for GPUs)", CudaGraphSteps.WhyNot(Config(DeviceKind.Cpu), torch.CPU, enabled: true));
    }

    [Fact]
    public void AShimWithoutCuda_RefusesGraphsWithAClearError()
    {
        if (CudaGraph.IsAvailable) return; // a CUDA build: the GPU tests below cover it
        var error = Assert.Throws<TorchException>(() => new CudaGraph(torch.CUDA));
        Assert.Contains("without CUDA", error.Message);
    }

    [CudaFact]
    public void GraphedSteps_TrainAsEagerStepsDo_AndTheRunSaysHowItsStepsRan()
    {
        RunStartedEvent? started = null;
        var eager = Train(Config(DeviceKind.Cuda), "eager", graphs: false, _ => { });
        var graphed = Train(Config(DeviceKind.Cuda), "graphed", graphs: true, e => started ??= e as RunStartedEvent);

        Assert.Equal(RunOutcome.Succeeded, graphed.Status);
        Assert.StartsWith("CUDA graphs", started!.Execution);
        Assert.Null(graphed.Summary.Message); // no capture failure
        // Dropout draws differ between the two ways of running, so the runs match in kind, not bit for bit.
        Assert.InRange(graphed.Summary.FinalMetrics[MetricKeys.TrainLoss], 0, eager.Summary.FinalMetrics[MetricKeys.TrainLoss] * 1.5 + 0.1);
        Assert.InRange(graphed.Summary.FinalMetrics[MetricKeys.ValAcc], eager.Summary.FinalMetrics[MetricKeys.ValAcc] - 15, 100);
    }

    [CudaFact]
    public void RDrop_RunsEagerlyOnTheGpu_AndSaysWhy()
    {
        RunStartedEvent? started = null;
        var finished = Train(Config(DeviceKind.Cuda) with { RDrop = new RDropSettings { Alpha = 0.5 } }, "rdrop", graphs: true,
            e => started ??= e as RunStartedEvent);

        Assert.Equal(RunOutcome.Succeeded, finished.Status);
        Assert.Contains("R-Drop", started!.Execution);
    }

    private RunFinishedEvent Train(RunConfig config, string folder, bool graphs, Action<TrainingEvent> seen) =>
        new Trainer(config, new TrainerOptions
        {
            OutputDirectory = Path.Combine(_root, folder), CudaGraphs = graphs, SystemMetricsEvery = TimeSpan.Zero,
        }, seen).Run();
}
