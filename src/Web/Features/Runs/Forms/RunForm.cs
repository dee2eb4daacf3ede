using Tracker.Shared;

namespace Tracker.Web.Features.Runs.Forms;

/// <summary>The sections of the new-run form, in the order the page shows them.</summary>
public enum FormSection
{
    Run,
    ModelAndData,
    Optimization,
    Dropout,
    StochasticDepth,
    RDrop,
    DropConnect,
    Penalties,
    EarlyStopping,
    Analysis,
}

/// <summary>One input of the form: the JSON path of the config field it edits (the path validator errors name) and its label.</summary>
public sealed record FormInput(string Path, string Label, FormSection Section);

/// <summary>
/// The editable state behind /runs/new: one bindable property per <see cref="RunConfig"/> field. It is mutable so
/// Radzen inputs bind to it, and a section switched off keeps what was typed in it until it is switched back on.
/// <see cref="ToConfig"/> builds the config the engine validates and trains; <see cref="Load"/> fills it back.
/// </summary>
public sealed class RunForm
{
    /// <summary>Every input, keyed by the JSON path errors use. A path missing here has no input: its errors go to the top.</summary>
    public static IReadOnlyList<FormInput> Inputs { get; } =
    [
        new("name", "Name", FormSection.Run),
        new("project", "Project", FormSection.Run),
        new("tags", "Tags", FormSection.Run),
        new("parentRunId", "Fine-tune from run", FormSection.Run),

        new("model", "Model", FormSection.ModelAndData),
        new("dataset", "Dataset", FormSection.ModelAndData),
        new("datasetPath", "Dataset path", FormSection.ModelAndData),
        new("trainSubset", "Training subset", FormSection.ModelAndData),
        new("maxStepsPerEpoch", "Max steps per epoch", FormSection.ModelAndData),
        new("augment", "Augment (crop and flip)", FormSection.ModelAndData),

        new("epochs", "Epochs", FormSection.Optimization),
        new("batchSize", "Batch size", FormSection.Optimization),
        new("optimizer", "Optimizer", FormSection.Optimization),
        new("lr", "Learning rate", FormSection.Optimization),
        new("momentum", "Momentum (SGD)", FormSection.Optimization),
        new("weightDecay", "Weight decay", FormSection.Optimization),
        new("warmupEpochs", "Warmup epochs", FormSection.Optimization),
        new("labelSmoothing", "Label smoothing", FormSection.Optimization),
        new("gradClip", "Gradient clipping norm", FormSection.Optimization),
        new("seed", "Seed", FormSection.Optimization),
        new("device", "Device", FormSection.Optimization),

        new("dropout.rate", "Dropout rate", FormSection.Dropout),
        new("dropout.mode", "Dropout mode", FormSection.Dropout),
        new("dropout.schedule", "Dropout schedule", FormSection.Dropout),
        new("dropout.cutoffEpoch", "Dropout cutoff epoch", FormSection.Dropout),

        new("dropPath.rate", "Stochastic depth rate", FormSection.StochasticDepth),
        new("dropPath.mode", "Stochastic depth mode", FormSection.StochasticDepth),
        new("dropPath.schedule", "Stochastic depth schedule", FormSection.StochasticDepth),
        new("dropPath.cutoffEpoch", "Stochastic depth cutoff epoch", FormSection.StochasticDepth),

        new("rDrop", "Use R-Drop", FormSection.RDrop),
        new("rDrop.alpha", "R-Drop alpha", FormSection.RDrop),

        new("dropConnect", "Use DropConnect", FormSection.DropConnect),
        new("dropConnect.rate", "DropConnect rate", FormSection.DropConnect),
        new("dropConnect.inference", "DropConnect inference", FormSection.DropConnect),
        new("dropConnect.samples", "DropConnect samples", FormSection.DropConnect),

        new("l1", "L1 weight", FormSection.Penalties),
        new("l2", "L2 weight", FormSection.Penalties),

        new("earlyStopping", "Use early stopping", FormSection.EarlyStopping),
        new("earlyStopping.metric", "Early stopping metric", FormSection.EarlyStopping),
        new("earlyStopping.patience", "Patience (epochs)", FormSection.EarlyStopping),
        new("earlyStopping.mode", "Early stopping mode", FormSection.EarlyStopping),

        new("analysis.everySteps", "Analysis every N steps", FormSection.Analysis),
        new("analysis.gradients", "Gradient direction metrics", FormSection.Analysis),
        new("analysis.gradientSamples", "Gradient samples (G)", FormSection.Analysis),
        new("analysis.wholeSetSamples", "Whole-set samples", FormSection.Analysis),
    ];

    private static readonly Dictionary<string, FormInput> InputsByPath = Inputs.ToDictionary(i => i.Path, StringComparer.Ordinal);

    public static FormInput Input(string path) => InputsByPath[path];

    public static bool HasInput(string path) => InputsByPath.ContainsKey(path);

    // Run
    public string Name { get; set; } = "";
    public string Project { get; set; } = "";
    /// <summary>Comma-separated; blanks between commas are ignored.</summary>
    public string Tags { get; set; } = "";
    public string? ParentRunId { get; set; }

    // Model and data
    public string Model { get; set; } = "";
    public string Dataset { get; set; } = "";
    public string? DatasetPath { get; set; }
    public int? TrainSubset { get; set; }
    public int? MaxStepsPerEpoch { get; set; }
    public bool Augment { get; set; }

    // Optimization
    public int Epochs { get; set; }
    public int BatchSize { get; set; }
    public OptimizerKind Optimizer { get; set; }
    public double Lr { get; set; }
    public double Momentum { get; set; }
    public double WeightDecay { get; set; }
    public int WarmupEpochs { get; set; }
    public double LabelSmoothing { get; set; }
    public double? GradClip { get; set; }
    public int Seed { get; set; }
    public DeviceKind Device { get; set; }

    public DropForm Dropout { get; } = new();
    public DropForm DropPath { get; } = new();

    // The optional sections start at the engine's defaults, shown once switched on.
    public bool RDropEnabled { get; set; }
    public double RDropAlpha { get; set; } = new RDropSettings().Alpha;

    public bool DropConnectEnabled { get; set; }
    public double DropConnectRate { get; set; } = new DropConnectSettings().Rate;
    public DropConnectInference DropConnectInference { get; set; } = new DropConnectSettings().Inference;
    public int DropConnectSamples { get; set; } = new DropConnectSettings().Samples;

    public double L1 { get; set; }
    public double L2 { get; set; }

    public bool EarlyStoppingEnabled { get; set; }
    public string EarlyStoppingMetric { get; set; } = new EarlyStoppingSettings().Metric;
    public int EarlyStoppingPatience { get; set; } = new EarlyStoppingSettings().Patience;
    public MetricMode EarlyStoppingMode { get; set; } = new EarlyStoppingSettings().Mode;

    public int AnalysisEverySteps { get; set; }
    public bool AnalysisGradients { get; set; }
    public int AnalysisGradientSamples { get; set; }
    public int AnalysisWholeSetSamples { get; set; }

    /// <summary>A form showing the engine's defaults.</summary>
    public RunForm() => Load(new RunConfig());

    public static RunForm FromConfig(RunConfig config)
    {
        var form = new RunForm();
        form.Load(config);
        return form;
    }

    /// <summary>
    /// Shows <paramref name="config"/>. An optional section the config leaves out is switched off but keeps the
    /// values already in the form, so switching it on again brings them back.
    /// </summary>
    public void Load(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Name = config.Name;
        Project = config.Project;
        Tags = string.Join(", ", config.Tags);
        ParentRunId = config.ParentRunId;

        Model = config.Model;
        Dataset = config.Dataset;
        DatasetPath = config.DatasetPath;
        TrainSubset = config.TrainSubset;
        MaxStepsPerEpoch = config.MaxStepsPerEpoch;
        Augment = config.Augment;

        Epochs = config.Epochs;
        BatchSize = config.BatchSize;
        Optimizer = config.Optimizer;
        Lr = config.Lr;
        Momentum = config.Momentum;
        WeightDecay = config.WeightDecay;
        WarmupEpochs = config.WarmupEpochs;
        LabelSmoothing = config.LabelSmoothing;
        GradClip = config.GradClip;
        Seed = config.Seed;
        Device = config.Device;

        Dropout.Load(config.Dropout);
        DropPath.Load(config.DropPath);

        RDropEnabled = config.RDrop is not null;
        if (config.RDrop is { } rDrop) RDropAlpha = rDrop.Alpha;

        DropConnectEnabled = config.DropConnect is not null;
        if (config.DropConnect is { } dropConnect)
        {
            DropConnectRate = dropConnect.Rate;
            DropConnectInference = dropConnect.Inference;
            DropConnectSamples = dropConnect.Samples;
        }

        L1 = config.L1;
        L2 = config.L2;

        EarlyStoppingEnabled = config.EarlyStopping is not null;
        if (config.EarlyStopping is { } stopping)
        {
            EarlyStoppingMetric = stopping.Metric;
            EarlyStoppingPatience = stopping.Patience;
            EarlyStoppingMode = stopping.Mode;
        }

        AnalysisEverySteps = config.Analysis.EverySteps;
        AnalysisGradients = config.Analysis.Gradients;
        AnalysisGradientSamples = config.Analysis.GradientSamples;
        AnalysisWholeSetSamples = config.Analysis.WholeSetSamples;
    }

    /// <summary>The config the form describes, exactly as it would be queued (not validated: see <see cref="Validate"/>).</summary>
    public RunConfig ToConfig() => new()
    {
        Name = Name.Trim(),
        Project = Project.Trim(),
        Tags = SplitTags(Tags),
        ParentRunId = Blank(ParentRunId),

        Model = Model,
        Dataset = Dataset,
        DatasetPath = Blank(DatasetPath),
        TrainSubset = TrainSubset,
        MaxStepsPerEpoch = MaxStepsPerEpoch,
        Augment = Augment,

        Epochs = Epochs,
        BatchSize = BatchSize,
        Optimizer = Optimizer,
        Lr = Lr,
        Momentum = Momentum,
        WeightDecay = WeightDecay,
        WarmupEpochs = WarmupEpochs,
        LabelSmoothing = LabelSmoothing,
        GradClip = GradClip,
        Seed = Seed,
        Device = Device,

        Dropout = Dropout.ToSettings(),
        DropPath = DropPath.ToSettings(),
        RDrop = RDropEnabled ? new RDropSettings { Alpha = RDropAlpha } : null,
        DropConnect = DropConnectEnabled
            ? new DropConnectSettings { Rate = DropConnectRate, Inference = DropConnectInference, Samples = DropConnectSamples }
            : null,
        L1 = L1,
        L2 = L2,
        EarlyStopping = EarlyStoppingEnabled
            ? new EarlyStoppingSettings { Metric = EarlyStoppingMetric, Patience = EarlyStoppingPatience, Mode = EarlyStoppingMode }
            : null,
        Analysis = new AnalysisSettings
        {
            EverySteps = AnalysisEverySteps,
            Gradients = AnalysisGradients,
            GradientSamples = AnalysisGradientSamples,
            WholeSetSamples = AnalysisWholeSetSamples,
        },
    };

    /// <summary>The engine's verdict on <see cref="ToConfig"/>, placed on the inputs the page shows.</summary>
    public RunFormErrors Validate() => RunFormErrors.Place(RunConfigValidator.Validate(ToConfig()), IsShown);

    /// <summary>Replaces the regularizers with those of a method preset (a <see cref="Methods"/> label), keeping the rest.</summary>
    public void ApplyPreset(string method) => Load(MethodPresets.Apply(method, ToConfig()));

    /// <summary>The paper's label for what the form would run.</summary>
    public string Method => Methods.Describe(ToConfig());

    /// <summary>Whether the page shows the input of <paramref name="path"/>: a switched-off section hides all but its switch.</summary>
    public bool IsShown(string path) => path switch
    {
        "rDrop.alpha" => RDropEnabled,
        "dropConnect.rate" or "dropConnect.inference" => DropConnectEnabled,
        "dropConnect.samples" => DropConnectEnabled && DropConnectInference == DropConnectInference.Gaussian,
        "earlyStopping.metric" or "earlyStopping.patience" or "earlyStopping.mode" => EarlyStoppingEnabled,
        "analysis.gradientSamples" or "analysis.wholeSetSamples" => AnalysisGradients,
        _ => HasInput(path),
    };

    private static string[] SplitTags(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

/// <summary>The form of one <see cref="DropSettings"/> (dropout or stochastic depth).</summary>
public sealed class DropForm
{
    public double Rate { get; set; }
    public DropMode Mode { get; set; }
    public DropSchedule Schedule { get; set; }
    public int? CutoffEpoch { get; set; }

    public void Load(DropSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Rate = settings.Rate;
        Mode = settings.Mode;
        Schedule = settings.Schedule;
        CutoffEpoch = settings.CutoffEpoch;
    }

    public DropSettings ToSettings() => new() { Rate = Rate, Mode = Mode, Schedule = Schedule, CutoffEpoch = CutoffEpoch };
}
