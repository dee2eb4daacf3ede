using System.Globalization;

namespace Tracker.Shared;

/// <summary>How a config field's value is typed in and compared.</summary>
public enum ConfigFieldKind
{
    /// <summary>Free text.</summary>
    Text,
    /// <summary>A list of words, typed separated by commas (tags).</summary>
    TextList,
    /// <summary>A whole number.</summary>
    Integer,
    /// <summary>A real number.</summary>
    Number,
    /// <summary>On or off.</summary>
    Flag,
    /// <summary>One of <see cref="ConfigFieldInfo.Choices"/>.</summary>
    Choice,
    /// <summary>An optional settings object (R-Drop, DropConnect, early stopping): on when the config has it; its fields are the paths under it.</summary>
    Section,
}

/// <summary>A titled group of config fields, as the new-run form shows them.</summary>
public sealed record ConfigSection(string Title, string? Description = null);

/// <summary>
/// One field of <see cref="RunConfig"/>. <see cref="Path"/> is its camelCase JSON path (as the validator names errors),
/// <see cref="Read"/> its value as the config table, the comparison and the run columns hold it: a string, int, double,
/// bool, list of strings or null, with enums as their JSON names.
/// </summary>
public sealed record ConfigFieldInfo(string Path, string Label, ConfigSection Section, ConfigFieldKind Kind, Func<RunConfig, object?> Read)
{
    /// <summary>The value may be unset (null): an empty input means "not set".</summary>
    public bool Optional { get; init; }

    /// <summary>The accepted values of a <see cref="ConfigFieldKind.Choice"/>.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>A short help line under the input.</summary>
    public string? Hint { get; init; }

    /// <summary>The step of a number input's arrows; null = 1.</summary>
    public string? Step { get; init; }

    /// <summary>
    /// Copied into a column of the run (named like the path in PascalCase, "dropout.rate" = DropoutRate), so the /runs
    /// filter language can compare it in the database.
    /// </summary>
    public bool Filterable { get; init; }

    /// <summary>The <see cref="ConfigFieldKind.Section"/> this field belongs to ("rDrop" for "rDrop.alpha"); null when it is always there.</summary>
    public string? SectionSwitch { get; init; }
}

/// <summary>
/// Every field of <see cref="RunConfig"/>, in the order its JSON writes them: the one table the new-run form, the /runs
/// filter language and its run columns, the run page's config table and the comparison's diff read. A field added to
/// <see cref="RunConfig"/> gets a row here (a test fails until it does).
/// </summary>
public static class RunConfigFields
{
    /// <summary>What an unset (null) field shows, e.g. no early stopping or no subset.</summary>
    public const string NotSet = "not set";

    public static readonly ConfigSection Run = new("Run");
    public static readonly ConfigSection ModelAndData = new("Model and data");
    public static readonly ConfigSection Optimization = new("Optimization");
    public static readonly ConfigSection Dropout = new("Dropout", "Early dropout acts in epochs 1 to the cutoff (linear: falling to 0); late dropout only after it.");
    public static readonly ConfigSection StochasticDepth = new("Stochastic depth", "The rate of the last block; it rises linearly with depth. Only for models with residual blocks.");
    public static readonly ConfigSection RDrop = new("R-Drop");
    public static readonly ConfigSection DropConnect = new("DropConnect");
    public static readonly ConfigSection Penalties = new("Penalties");
    public static readonly ConfigSection EarlyStopping = new("Early stopping");
    public static readonly ConfigSection Analysis = new("Analysis");

    /// <summary>The sections in the order the form shows them.</summary>
    public static IReadOnlyList<ConfigSection> Sections { get; } =
        [Run, ModelAndData, Optimization, Dropout, StochasticDepth, RDrop, DropConnect, Penalties, EarlyStopping, Analysis];

    public static IReadOnlyList<ConfigFieldInfo> All { get; } =
    [
        Field("name", "Name", Run, ConfigFieldKind.Text, c => c.Name),
        Field("project", "Project", Run, ConfigFieldKind.Text, c => c.Project),
        Field("tags", "Tags", Run, ConfigFieldKind.TextList, c => c.Tags) with { Hint = "Separated by commas" },

        Field("model", "Model", ModelAndData, ConfigFieldKind.Choice, c => c.Model) with { Choices = KnownModels.All },
        Field("dataset", "Dataset", ModelAndData, ConfigFieldKind.Choice, c => c.Dataset) with { Choices = KnownDatasets.All },
        Field("datasetPath", "Dataset path", ModelAndData, ConfigFieldKind.Text, c => c.DatasetPath) with { Optional = true, Hint = "Where the files are; required for npz" },

        Field("epochs", "Epochs", Optimization, ConfigFieldKind.Integer, c => c.Epochs) with { Filterable = true },
        Field("batchSize", "Batch size", Optimization, ConfigFieldKind.Integer, c => c.BatchSize) with { Filterable = true },
        Choice("optimizer", "Optimizer", Optimization, c => c.Optimizer) with { Filterable = true },
        Field("lr", "Learning rate", Optimization, ConfigFieldKind.Number, c => c.Lr) with { Step = "0.0001", Filterable = true },
        Field("momentum", "Momentum (SGD)", Optimization, ConfigFieldKind.Number, c => c.Momentum),
        Field("weightDecay", "Weight decay", Optimization, ConfigFieldKind.Number, c => c.WeightDecay) with { Filterable = true },
        Field("warmupEpochs", "Warmup epochs", Optimization, ConfigFieldKind.Integer, c => c.WarmupEpochs) with { Filterable = true },
        Field("labelSmoothing", "Label smoothing", Optimization, ConfigFieldKind.Number, c => c.LabelSmoothing) with { Filterable = true },
        Field("gradClip", "Gradient clipping norm", Optimization, ConfigFieldKind.Number, c => c.GradClip) with { Optional = true },
        Field("seed", "Seed", Optimization, ConfigFieldKind.Integer, c => c.Seed) with { Filterable = true },
        Choice("device", "Device", Optimization, c => c.Device),

        Field("dropout.rate", "Dropout rate", Dropout, ConfigFieldKind.Number, c => c.Dropout.Rate) with { Step = "0.05", Filterable = true },
        Choice("dropout.mode", "Dropout mode", Dropout, c => c.Dropout.Mode) with { Filterable = true },
        Choice("dropout.schedule", "Dropout schedule", Dropout, c => c.Dropout.Schedule) with { Filterable = true },
        Field("dropout.cutoffEpoch", "Dropout cutoff epoch", Dropout, ConfigFieldKind.Integer, c => c.Dropout.CutoffEpoch) with { Optional = true, Filterable = true },

        Field("dropPath.rate", "Stochastic depth rate", StochasticDepth, ConfigFieldKind.Number, c => c.DropPath.Rate) with { Step = "0.05", Filterable = true },
        Choice("dropPath.mode", "Stochastic depth mode", StochasticDepth, c => c.DropPath.Mode) with { Filterable = true },
        Choice("dropPath.schedule", "Stochastic depth schedule", StochasticDepth, c => c.DropPath.Schedule) with { Filterable = true },
        Field("dropPath.cutoffEpoch", "Stochastic depth cutoff epoch", StochasticDepth, ConfigFieldKind.Integer, c => c.DropPath.CutoffEpoch) with { Optional = true, Filterable = true },

        Field("rDrop", "Use R-Drop", RDrop, ConfigFieldKind.Section, c => c.RDrop),
        Field("rDrop.alpha", "R-Drop alpha", RDrop, ConfigFieldKind.Number, c => c.RDrop?.Alpha) with { SectionSwitch = "rDrop", Filterable = true },

        Field("dropConnect", "Use DropConnect", DropConnect, ConfigFieldKind.Section, c => c.DropConnect),
        Field("dropConnect.rate", "DropConnect rate", DropConnect, ConfigFieldKind.Number, c => c.DropConnect?.Rate) with { SectionSwitch = "dropConnect", Filterable = true },
        OptionalChoice("dropConnect.inference", "DropConnect inference", DropConnect, c => c.DropConnect?.Inference) with { SectionSwitch = "dropConnect" },
        Field("dropConnect.samples", "DropConnect samples", DropConnect, ConfigFieldKind.Integer, c => c.DropConnect?.Samples) with { SectionSwitch = "dropConnect" },

        Field("l1", "L1 weight", Penalties, ConfigFieldKind.Number, c => c.L1) with { Filterable = true },
        Field("l2", "L2 weight", Penalties, ConfigFieldKind.Number, c => c.L2) with { Filterable = true },

        Field("earlyStopping", "Use early stopping", EarlyStopping, ConfigFieldKind.Section, c => c.EarlyStopping),
        Field("earlyStopping.metric", "Early stopping metric", EarlyStopping, ConfigFieldKind.Choice, c => c.EarlyStopping?.Metric) with { Choices = MetricKeys.Monitorable, SectionSwitch = "earlyStopping" },
        Field("earlyStopping.patience", "Patience (epochs)", EarlyStopping, ConfigFieldKind.Integer, c => c.EarlyStopping?.Patience) with { SectionSwitch = "earlyStopping" },
        OptionalChoice("earlyStopping.mode", "Early stopping mode", EarlyStopping, c => c.EarlyStopping?.Mode) with { SectionSwitch = "earlyStopping" },

        Field("analysis.everySteps", "Analysis every N steps", Analysis, ConfigFieldKind.Integer, c => c.Analysis.EverySteps),
        Field("analysis.gradients", "Gradient direction metrics", Analysis, ConfigFieldKind.Flag, c => c.Analysis.Gradients),
        Field("analysis.gradientSamples", "Gradient samples (G)", Analysis, ConfigFieldKind.Integer, c => c.Analysis.GradientSamples),
        Field("analysis.wholeSetSamples", "Whole-set samples", Analysis, ConfigFieldKind.Integer, c => c.Analysis.WholeSetSamples),
        Field("stepEventEvery", "Step metrics every N steps", Analysis, ConfigFieldKind.Integer, c => c.StepEventEvery) with
        {
            Hint = "Training loss, learning rate and live progress within an epoch; 0 = only at the end of each epoch",
        },

        Field("trainSubset", "Training subset", ModelAndData, ConfigFieldKind.Integer, c => c.TrainSubset) with { Optional = true, Filterable = true },
        Field("maxStepsPerEpoch", "Max steps per epoch", ModelAndData, ConfigFieldKind.Integer, c => c.MaxStepsPerEpoch) with { Optional = true },
        Field("augment", "Augment (crop and flip)", ModelAndData, ConfigFieldKind.Flag, c => c.Augment),
        Field("parentRunId", "Fine-tune from run", Run, ConfigFieldKind.Text, c => c.ParentRunId) with { Optional = true, Hint = "A run id whose last checkpoint the weights start from" },
        Choice("resources.gpu", "GPU", Run, c => c.Resources.Gpu) with { Hint = "Shared: one of a GPU's slots, beside other runs; exclusive: a whole GPU; auto: shared for all models but ConvNeXt" },
    ];

    private static readonly Dictionary<string, ConfigFieldInfo> ByPath = All.ToDictionary(f => f.Path, StringComparer.Ordinal);

    /// <summary>The field of <paramref name="path"/>, or null when the config has none.</summary>
    public static ConfigFieldInfo? Find(string path) => ByPath.GetValueOrDefault(path);

    /// <summary>
    /// Every field of <paramref name="config"/> as text, in table order. A section that is off is one entry with a null
    /// value (its fields are left out); an unset field is null; a list is its items joined by ", " ("none" when empty).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> Values(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var values = new List<KeyValuePair<string, string?>>(All.Count);
        foreach (var field in All)
        {
            if (field.SectionSwitch is { } section && ByPath[section].Read(config) is null) continue;
            var value = field.Read(config);
            // A section that is on shows as its fields; off, it is a row of its own.
            if (field.Kind == ConfigFieldKind.Section && value is not null) continue;
            values.Add(new(field.Path, Text(value)));
        }
        return values;
    }

    /// <summary>A value as <see cref="ConfigFieldInfo.Read"/> gives it, as text (invariant culture, shortest round-trip numbers).</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        string text => text,
        bool flag => flag ? "true" : "false",
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        IReadOnlyList<string> items => items.Count == 0 ? "none" : string.Join(", ", items),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static ConfigFieldInfo Field(string path, string label, ConfigSection section, ConfigFieldKind kind, Func<RunConfig, object?> read) =>
        new(path, label, section, kind, read);

    // Enums are read as their JSON names, the words a config file and a filter use.
    private static ConfigFieldInfo OptionalChoice<TEnum>(string path, string label, ConfigSection section, Func<RunConfig, TEnum?> read) where TEnum : struct, Enum =>
        new(path, label, section, ConfigFieldKind.Choice, c => read(c) is { } value ? JsonEnumNameConverter<TEnum>.NameOf(value) : null)
        {
            Choices = JsonEnumNameConverter<TEnum>.Names,
        };

    private static ConfigFieldInfo Choice<TEnum>(string path, string label, ConfigSection section, Func<RunConfig, TEnum> read) where TEnum : struct, Enum =>
        OptionalChoice<TEnum>(path, label, section, c => read(c));
}
