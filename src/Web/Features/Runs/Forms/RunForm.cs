using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Tracker.Shared;

namespace Tracker.Web.Features.Runs.Forms;

/// <summary>
/// The editable state behind /runs/new: one bindable property per <see cref="RunConfig"/> field. It is mutable so
/// MudBlazor inputs bind to it, and a section switched off keeps what was typed in it until it is switched back on.
/// <see cref="ToConfig"/> builds the config the engine validates and trains; <see cref="Load"/> fills it back.
/// </summary>
public sealed class RunForm
{
    /// <summary>
    /// The input of <paramref name="path"/>: every field of <see cref="RunConfigFields"/> has one, bound to the property
    /// of this form named like it (see <see cref="Get"/>). A path missing there has no input: its errors go to the top.
    /// </summary>
    public static ConfigFieldInfo Input(string path) => RunConfigFields.Find(path) ?? throw new KeyNotFoundException($"No input for '{path}'.");

    public static bool HasInput(string path) => RunConfigFields.Find(path) is not null;

    // Run
    public string Name { get; set; } = "";
    public string Project { get; set; } = "";
    /// <summary>Comma-separated; blanks between commas are ignored.</summary>
    public string Tags { get; set; } = "";
    public string? ParentRunId { get; set; }
    public GpuShare ResourcesGpu { get; set; }

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
    public int StepEventEvery { get; set; }

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
        ResourcesGpu = config.Resources.Gpu;

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
        StepEventEvery = config.StepEventEvery;
    }

    /// <summary>The config the form describes, exactly as it would be queued (not validated: see <see cref="Validate"/>).</summary>
    public RunConfig ToConfig() => new()
    {
        Name = Name.Trim(),
        Project = Project.Trim(),
        Tags = SplitTags(Tags),
        ParentRunId = Blank(ParentRunId),
        Resources = new ResourceSettings { Gpu = ResourcesGpu },

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
        StepEventEvery = StepEventEvery,
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
        "dropConnect.samples" => DropConnectEnabled && DropConnectInference == DropConnectInference.Gaussian,
        "analysis.gradientSamples" or "analysis.wholeSetSamples" => AnalysisGradients,
        _ => RunConfigFields.Find(path) is { } field && (field.SectionSwitch is not { } section || (bool)Get(section)!),
    };

    /// <summary>
    /// The value of the input of <paramref name="path"/>: the property named like the path ("epochs" = Epochs,
    /// "dropout.rate" = Dropout.Rate, "rDrop.alpha" = RDropAlpha), or for a section's switch "rDrop" = RDropEnabled.
    /// </summary>
    public object? Get(string path)
    {
        var binding = Binding.Of(path);
        return binding.Value.GetValue(binding.Owner is null ? this : binding.Owner.GetValue(this));
    }

    /// <summary>Sets the input of <paramref name="path"/> (see <see cref="Get"/>).</summary>
    public void Set(string path, object? value)
    {
        var binding = Binding.Of(path);
        binding.Value.SetValue(binding.Owner is null ? this : binding.Owner.GetValue(this), value);
    }

    /// <summary>The type of the input's value: string, int, int?, double, double?, bool or a config enum.</summary>
    public static Type ValueType(string path) => Binding.Of(path).Value.PropertyType;

    /// <summary>A choice input's value as the word the config JSON uses (an enum as its JSON name).</summary>
    public string? GetChoice(string path) => Get(path) switch
    {
        null => null,
        string text => text,
        var value => JsonSerializer.Serialize(value, value.GetType(), RunConfigJson.Options).Trim('"'),
    };

    /// <summary>Sets a choice input from the word the config JSON uses.</summary>
    public void SetChoice(string path, string? choice)
    {
        var type = ValueType(path);
        Set(path, type == typeof(string) || choice is null ? choice : JsonSerializer.Deserialize(JsonSerializer.Serialize(choice), type, RunConfigJson.Options));
    }

    /// <summary>Where the value of an input lives: a property of the form, or of one of its parts (<see cref="Dropout"/>).</summary>
    private sealed record Binding(PropertyInfo? Owner, PropertyInfo Value)
    {
        private static readonly ConcurrentDictionary<string, Binding> Cache = new(StringComparer.Ordinal);

        public static Binding Of(string path) => Cache.GetOrAdd(path, Resolve);

        private static Binding Resolve(string path)
        {
            var field = Input(path);
            var parts = path.Split('.').Select(part => char.ToUpperInvariant(part[0]) + part[1..]).ToArray();
            if (parts.Length == 2 && typeof(RunForm).GetProperty(parts[0]) is { } owner && owner.PropertyType.GetProperty(parts[1]) is { } nested)
                return new Binding(owner, nested);
            var name = string.Concat(parts) + (field.Kind == ConfigFieldKind.Section ? "Enabled" : "");
            return new Binding(null, typeof(RunForm).GetProperty(name) ?? throw new InvalidOperationException($"RunForm has no property {name} for the input {path}."));
        }
    }

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
