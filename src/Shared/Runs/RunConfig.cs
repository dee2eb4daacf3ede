namespace Tracker.Shared;

/// <summary>
/// Everything needed to reproduce one training run. Stored as JSON (camelCase, see <see cref="RunConfigJson"/>)
/// by the web app and read by <c>tracker-train --config</c>. Epochs are counted from 1.
/// Check it with <see cref="RunConfigValidator"/> before training.
/// </summary>
public sealed record RunConfig
{
    public string Name { get; init; } = "untitled";
    public string Project { get; init; } = "default";
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>One of <see cref="KnownModels.All"/>.</summary>
    public string Model { get; init; } = KnownModels.Mlp;
    /// <summary>One of <see cref="KnownDatasets.All"/>.</summary>
    public string Dataset { get; init; } = KnownDatasets.FashionMnist;
    /// <summary>Overrides where the dataset files are read from; required for <see cref="KnownDatasets.Npz"/>.</summary>
    public string? DatasetPath { get; init; }

    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 128;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    /// <summary>Peak learning rate, reached after the warmup.</summary>
    public double Lr { get; init; } = 1e-3;
    /// <summary>Used by SGD only.</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>AdamW's decoupled decay (coupled for SGD); distinct from the <see cref="L2"/> loss term.</summary>
    public double WeightDecay { get; init; } = 0.05;
    public int WarmupEpochs { get; init; }
    public double LabelSmoothing { get; init; }
    /// <summary>Maximum global gradient L2 norm; null = no clipping.</summary>
    public double? GradClip { get; init; }
    public int Seed { get; init; }
    public DeviceKind Device { get; init; } = DeviceKind.Auto;

    public DropSettings Dropout { get; init; } = new();
    /// <summary>Stochastic depth ("s.d." in the paper); the rate is that of the last block, rising linearly with depth.</summary>
    public DropSettings DropPath { get; init; } = new();
    /// <summary>Null = R-Drop off.</summary>
    public RDropSettings? RDrop { get; init; }
    /// <summary>Null = DropConnect off.</summary>
    public DropConnectSettings? DropConnect { get; init; }
    /// <summary>Weight of the L1 penalty added to the loss.</summary>
    public double L1 { get; init; }
    /// <summary>Weight of the L2 penalty added to the loss (both set = elastic net).</summary>
    public double L2 { get; init; }
    /// <summary>Null = train all epochs.</summary>
    public EarlyStoppingSettings? EarlyStopping { get; init; }
    public AnalysisSettings Analysis { get; init; } = new();
    /// <summary>
    /// A step event (running training loss, learning rate, drop rates) every N optimizer steps: the step-level curves
    /// and the run page's progress within an epoch; 0 = only at the end of each epoch. See <see cref="DefaultStepEventEvery"/>.
    /// </summary>
    public int StepEventEvery { get; init; } = DefaultStepEventEvery;

    /// <summary>
    /// Five, so the first point and the first progress within an epoch come within seconds on two CPU cores: measured
    /// (2026-11-28, tracker-train, Fashion-MNIST, batch 128, two cores shared at load 13 to 23) a convnet took 1.3 steps/s
    /// (3.8 s for 5 steps, about 38 s for the former 50) and ViT-tiny 0.14 steps/s. Each event reads the step totals back from the
    /// device, a wait a GPU run pays every N steps: a long GPU run may ask for a larger interval.
    /// </summary>
    public const int DefaultStepEventEvery = 5;

    /// <summary>Train on a seeded, class-stratified subset of N examples (quick experiments, or to overfit on purpose); null = all.</summary>
    public int? TrainSubset { get; init; }
    /// <summary>Cut every epoch after N optimizer steps (smoke tests); null = full epochs.</summary>
    public int? MaxStepsPerEpoch { get; init; }
    /// <summary>Random crop (pad 4) and horizontal flip; applied to RGB datasets only.</summary>
    public bool Augment { get; init; }
    /// <summary>Run whose last checkpoint the weights start from (fine-tuning); null = fresh initialisation.</summary>
    public string? ParentRunId { get; init; }
    /// <summary>What the run asks of the machine that trains it; the scheduler places it by this.</summary>
    public ResourceSettings Resources { get; init; } = new();
}

/// <summary>What a run asks of the machine that trains it.</summary>
public sealed record ResourceSettings
{
    /// <summary>A share of a GPU or a whole one; ignored on machines without GPUs.</summary>
    public GpuShare Gpu { get; init; } = GpuShare.Auto;

    /// <summary>The share the scheduler uses for a run of <paramref name="model"/>: Auto decided by the model's size.</summary>
    public GpuShare ShareFor(string? model) =>
        Gpu != GpuShare.Auto ? Gpu : KnownModels.IsSmall(model) ? GpuShare.Shared : GpuShare.Exclusive;
}

/// <summary>Dropout or stochastic depth: a rate and when in training it applies.</summary>
public sealed record DropSettings
{
    /// <summary>Probability of dropping, in [0, 1); 0 = off.</summary>
    public double Rate { get; init; }
    public DropMode Mode { get; init; } = DropMode.Standard;
    public DropSchedule Schedule { get; init; } = DropSchedule.Constant;
    /// <summary>Last epoch of the early phase (early: active in epochs 1..cutoff; late: active after it).</summary>
    public int? CutoffEpoch { get; init; }
}

/// <summary>R-Drop: loss = CE1 + CE2 + alpha * (KL(P1||P2) + KL(P2||P1)) / 2 over two dropout passes.</summary>
public sealed record RDropSettings
{
    public double Alpha { get; init; } = 1.0;
}

/// <summary>DropConnect on the linear layers: masks weights instead of activations.</summary>
public sealed record DropConnectSettings
{
    /// <summary>Probability of dropping a weight, in [0, 1).</summary>
    public double Rate { get; init; } = 0.5;
    public DropConnectInference Inference { get; init; } = DropConnectInference.Gaussian;
    /// <summary>Gaussian samples averaged per activation at inference; small, because it multiplies evaluation cost.</summary>
    public int Samples { get; init; } = 16;
}

public sealed record EarlyStoppingSettings
{
    /// <summary>One of <see cref="MetricKeys.Monitorable"/>.</summary>
    public string Metric { get; init; } = MetricKeys.ValLoss;
    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; init; } = 5;
    /// <summary>Must agree with the metric: min for losses, max for accuracies.</summary>
    public MetricMode Mode { get; init; } = MetricMode.Min;
}

/// <summary>The paper's analysis metrics (Figures 6-8), measured on a schedule.</summary>
public sealed record AnalysisSettings
{
    /// <summary>Measure every N optimizer steps; 0 = no analysis events.</summary>
    public int EverySteps { get; init; } = 100;
    /// <summary>Also measure gradient direction variance and error (costs G extra backward passes plus the whole-set gradient).</summary>
    public bool Gradients { get; init; }
    /// <summary>G: mini-batch gradients compared pairwise for the direction variance (at least 2).</summary>
    public int GradientSamples { get; init; } = 8;
    /// <summary>Training examples standing in for the whole training set in the direction error.</summary>
    public int WholeSetSamples { get; init; } = 1024;
}
