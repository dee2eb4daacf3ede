using Tracker.Shared;
using Tracker.Training.Engine;
using Tracker.Training.Engine.Analysis;
using Tracker.Training.Models;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Optim;

namespace Tracker.Training.Tests.Engine;

/// <summary>A model started from another run's checkpoint: the parent's weights where they fit, a fresh head where they do not, no dropout.</summary>
public sealed class FineTuningTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"trk-finetune-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>Writes <paramref name="model"/> as a training checkpoint would, and returns its path.</summary>
    private string SaveCheckpoint(ClassifierModel model, string name)
    {
        var path = Path.Combine(_root, name, Checkpoint.FileName);
        using var optimizer = new AdamW(model.parameters(), 1e-3);
        using var analysis = new GradientAnalysis(model.parameters().ToList());
        Checkpoint.Save(path, model, optimizer, analysis, new CheckpointMeta { Epoch = 1, Step = 1 });
        return path;
    }

    private static ClassifierModel Build(string model, int classes, ulong seed)
    {
        torch.manual_seed(seed);
        return ModelFactory.Create(model, 1, 28, classes);
    }

    private static Dictionary<string, float[]> Values(ClassifierModel model) =>
        model.state_dict().ToDictionary(p => p.Key, p => p.Value.ToArray<float>());

    [Fact]
    public void ModelInitialisedFromACheckpoint_StartsWithEveryOneOfTheParentsWeights()
    {
        using var parent = Build(KnownModels.VitNano, 10, seed: 1);
        var path = SaveCheckpoint(parent, "parent");
        using var child = Build(KnownModels.VitNano, 10, seed: 2);
        var parentValues = Values(parent);
        Assert.Contains(Values(child), p => !p.Value.SequenceEqual(parentValues[p.Key])); // different seeds start apart

        var report = FineTuning.InitialiseFrom(path, child);

        Assert.Empty(report.Reinitialised);
        Assert.Equal(parentValues.Keys.Order(), report.Loaded.Order());
        foreach (var (name, values) in Values(child)) Assert.Equal(parentValues[name], values);
    }

    [Fact]
    public void ClassCountDiffers_OnlyTheHeadKeepsItsFreshInitialisation()
    {
        using var parent = Build(KnownModels.VitNano, 10, seed: 1);
        var path = SaveCheckpoint(parent, "parent");
        using var child = Build(KnownModels.VitNano, 4, seed: 2);
        var fresh = Values(child);
        var parentValues = Values(parent);
        var parentShapes = parent.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        var headNames = child.state_dict().Where(p => !p.Value.shape.SequenceEqual(parentShapes[p.Key])).Select(p => p.Key).Order().ToList();
        Assert.Equal(2, headNames.Count); // the classifier's weight and bias

        var report = FineTuning.InitialiseFrom(path, child);

        Assert.Equal(headNames, report.Reinitialised.Order());
        var after = Values(child);
        foreach (var name in headNames) Assert.Equal(fresh[name], after[name]);
        foreach (var name in report.Loaded) Assert.Equal(parentValues[name], after[name]);
        Assert.Equal(after.Count - 2, report.Loaded.Count);
    }

    [Fact]
    public void CheckpointOfAnotherArchitecture_IsRefused()
    {
        using var parent = Build(KnownModels.Mlp, 10, seed: 1);
        var path = SaveCheckpoint(parent, "parent");
        using var child = Build(KnownModels.ConvNet, 10, seed: 2);

        var error = Assert.Throws<InvalidDataException>(() => FineTuning.InitialiseFrom(path, child));

        Assert.Contains("another architecture", error.Message, StringComparison.Ordinal);
    }

    private static RunConfig Tiny => new()
    {
        Name = "parent",
        Model = KnownModels.Mlp,
        Dataset = KnownDatasets.Synthetic,
        Epochs = 2,
        BatchSize = 32,
        Lr = 3e-3,
        TrainSubset = 256,
        Seed = 5,
        Device = DeviceKind.Cpu,
        Dropout = new DropSettings { Rate = 0.2 },
        Analysis = new AnalysisSettings { EverySteps = 0 },
    };

    private List<TrainingEvent> Train(RunConfig config, string folder, string? initialWeights = null)
    {
        var events = new List<TrainingEvent>();
        var options = new TrainerOptions { OutputDirectory = Path.Combine(_root, folder), StepEventEvery = 1, Threads = 1, InitialWeightsPath = initialWeights };
        var finished = new Trainer(config, options, events.Add).Run();
        Assert.True(finished.Status == RunOutcome.Succeeded, finished.Summary.Error);
        return events;
    }

    [Fact]
    public void FineTuneRun_StartsFromTheParentsFinalWeights_WithDropoutOff()
    {
        var parentEvents = Train(Tiny, "parent");
        var parentFinal = parentEvents.OfType<EpochEvent>().Last().Metrics;
        Assert.True(parentFinal[MetricKeys.ValAcc] > 50, $"The parent should learn the synthetic set; it reached {parentFinal[MetricKeys.ValAcc]}%.");
        // A learning rate so small that an epoch cannot move the weights measurably: the child evaluates as its parent ended.
        var fineTune = Tiny with { Name = "child", ParentRunId = "1", Dropout = new DropSettings(), Epochs = 1, Lr = 1e-12, WeightDecay = 0 };

        var childEvents = Train(fineTune, "child", Path.Combine(_root, "parent", Checkpoint.FileName));
        var scratchEvents = Train(fineTune with { ParentRunId = null }, "scratch");

        var childFirst = childEvents.OfType<EpochEvent>().First().Metrics;
        Assert.Equal(parentFinal[MetricKeys.ValAcc], childFirst[MetricKeys.ValAcc]);
        Assert.Equal(parentFinal[MetricKeys.ValLoss], childFirst[MetricKeys.ValLoss], 4);
        Assert.True(scratchEvents.OfType<EpochEvent>().First().Metrics[MetricKeys.ValAcc] < parentFinal[MetricKeys.ValAcc] - 20);
        Assert.All(childEvents.OfType<StepEvent>(), e => Assert.Equal(0, e.Metrics[MetricKeys.DropoutRate]));
    }

    [Fact]
    public void FineTuneConfigWithDropout_IsRefusedBeforeTraining()
    {
        var options = new TrainerOptions { OutputDirectory = Path.Combine(_root, "refused") };

        var error = Assert.Throws<InvalidRunConfigException>(() => new Trainer(Tiny with { ParentRunId = "1" }, options, _ => { }));

        Assert.Equal("dropout.rate", Assert.Single(error.Errors).Field);
    }
}
