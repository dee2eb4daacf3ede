using Tracker.Shared;

namespace Tracker.Web.Features.Paper;

/// <summary>One of our models standing in for one of the paper's (ImageNet-sized) columns.</summary>
/// <param name="Model">A <see cref="KnownModels"/> name.</param>
/// <param name="PaperColumn">The reference table's column it stands in for, e.g. "ViT-T".</param>
public sealed record ModelColumn(string Model, string PaperColumn);

/// <summary>
/// How this instance fills one reference table at small scale: which runs count (those tagged <see cref="RunsTag"/>),
/// rows as method labels mapped from the paper's row names, columns as our models, and the config that runs a cell.
/// </summary>
/// <param name="TableId">The reference table's id.</param>
/// <param name="RunsTag">The tag that attributes a run to this table's recipe; the "run the missing cells" sweep sets it.</param>
/// <param name="Rows">Paper row name and the <see cref="Methods"/> label our runs carry for it, in the paper's order.</param>
/// <param name="Columns">Our models, in the paper's column order.</param>
/// <param name="PrimaryMetric"><see cref="MetricKeys.ValAcc"/> or <see cref="MetricKeys.TrainLoss"/>: what the paper's table reports.</param>
/// <param name="Recipe">One line that says what the preset trains, shown under the table.</param>
public sealed record InstanceTableSpec(
    string TableId, string RunsTag, IReadOnlyList<KeyValuePair<string, string>> Rows, IReadOnlyList<ModelColumn> Columns,
    string PrimaryMetric, string Recipe, Func<string, RunConfig> BaseConfig)
{
    /// <summary>The row the differences are taken from: "no dropout" where the table has it, else its first row (the late table's "standard s.d.").</summary>
    public string BaselineMethod => Rows.Any(r => r.Value == Methods.NoDropout) ? Methods.NoDropout : Rows[0].Value;

    /// <summary>
    /// A cell the paper has no number for is not a run the paper made (ConvNeXt has no dropout layers in the official
    /// code), so it is neither shown as missing nor run.
    /// </summary>
    public bool HasCell(ReferenceTable reference, string method, string model)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var paperRow = Rows.FirstOrDefault(r => r.Value == method).Key;
        var paperColumn = Columns.FirstOrDefault(c => c.Model == model)?.PaperColumn;
        return paperRow is not null && paperColumn is not null && reference.ValueAt(paperRow, paperColumn) is not null;
    }
}

/// <summary>
/// The small-scale presets that stand in for the paper's ImageNet recipes, in one place; the reasons are in
/// docs/decisions/0006-paper-scale-presets.md. Method settings come from <see cref="MethodPresets"/>.
/// </summary>
public static class PaperPresets
{
    /// <summary>Seeds per cell, as the paper's tables are means over runs.</summary>
    public const int Seeds = 3;

    public const string Project = "paper";

    /// <summary>The id of the downstream table: in /paper?table=, in share links, and in its runs' tag.</summary>
    public const string DownstreamTableId = "downstream";

    /// <summary>Tag of the fine-tune runs that fill the downstream table.</summary>
    public const string DownstreamTag = "paper:" + DownstreamTableId;

    /// <summary>True for the id of a table the paper page shows: a reference table's, or the downstream table's.</summary>
    public static bool IsTableId(string id) => id == DownstreamTableId || ReferenceResults.Load().Table(id) is not null;

    public static string TagFor(string tableId) => "paper:" + tableId;

    /// <summary>Early rows: epochs short enough that the model underfits the full Fashion-MNIST training set.</summary>
    public const int EarlyEpochs = 10;

    /// <summary>The improved recipe doubles the schedule, as the paper goes from 300 to 600 epochs (we have no mixup/cutmix).</summary>
    public const int EarlyImprovedEpochs = 20;

    /// <summary>Late rows: a larger model trained long on a small subset, so it overfits.</summary>
    public const int LateEpochs = 20;

    public const int LateTrainSubset = 5000;

    /// <summary>Fine-tuning: short, at a tenth of the pre-training peak learning rate, no warmup, dropout off.</summary>
    public const int FineTuneEpochs = 5;

    /// <summary>The paper's row names and the method labels our runs carry; they agree, so every pair maps a name to itself.</summary>
    public static IReadOnlyDictionary<string, string> MethodOfPaperRow { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["no dropout"] = Methods.NoDropout,
        ["standard dropout"] = Methods.StandardDropout,
        ["standard s.d."] = Methods.StandardStochasticDepth,
        ["early dropout"] = Methods.EarlyDropout,
        ["early s.d."] = Methods.EarlyStochasticDepth,
        ["late s.d."] = Methods.LateStochasticDepth,
    };

    private static readonly ModelColumn VitNanoForVitT = new(KnownModels.VitNano, "ViT-T");

    public static IReadOnlyList<InstanceTableSpec> Specs { get; } =
    [
        new("early-basic", TagFor("early-basic"),
            Rows("no dropout", "standard dropout", "standard s.d.", "early dropout", "early s.d."),
            [VitNanoForVitT, new(KnownModels.Mixer, "Mixer-S"), new(KnownModels.ConvNext, "ConvNeXt-F")],
            MetricKeys.ValAcc,
            $"Fashion-MNIST, full training set, {EarlyEpochs} epochs (early cutoff at epoch {MethodPresets.ScaledCutoff(EarlyEpochs)}): small models that underfit.",
            model => Early(model, EarlyEpochs)),
        new("early-improved", TagFor("early-improved"),
            Rows("no dropout", "standard dropout", "standard s.d.", "early dropout", "early s.d."),
            [VitNanoForVitT, new(KnownModels.ConvNext, "ConvNeXt-F")],
            MetricKeys.ValAcc,
            $"Fashion-MNIST, full training set, {EarlyImprovedEpochs} epochs (twice the basic schedule; no mixup/cutmix).",
            model => Early(model, EarlyImprovedEpochs)),
        new("late-basic", TagFor("late-basic"),
            Rows("standard s.d.", "late s.d."),
            [new(KnownModels.VitTiny, "ViT-B"), new(KnownModels.Mixer, "Mixer-B")],
            MetricKeys.ValAcc,
            $"Fashion-MNIST, {LateTrainSubset} training examples, {LateEpochs} epochs, late s.d. from epoch {LateEpochs / 2 + 1}: larger models that overfit.",
            Late),
        // The same runs as early-basic: the paper reports this table's losses for the basic recipe's ViT-T runs.
        new("vit-t-train-loss", TagFor("early-basic"),
            Rows("no dropout", "standard dropout", "early dropout"),
            [VitNanoForVitT],
            MetricKeys.TrainLoss,
            "The early-basic runs' final training loss.",
            model => Early(model, EarlyEpochs)),
    ];

    public static InstanceTableSpec? SpecFor(string tableId) => Specs.FirstOrDefault(s => s.TableId == tableId);

    /// <summary>The config of one run of a cell: the table's base config for the model, the method's settings, the seed and the table's tag.</summary>
    public static RunConfig ConfigFor(InstanceTableSpec spec, string method, string model, int seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var config = MethodPresets.Apply(method, spec.BaseConfig(model)) with
        {
            Name = $"{spec.TableId} · {method} · {model} · seed {seed}",
            Project = Project,
            Tags = [spec.RunsTag],
            Seed = seed,
        };
        // Late s.d. switches on midway: the paper's 50-of-300 cutoff would start it before a small model begins to overfit.
        if (config.DropPath.Mode == DropMode.Late) config = config with { DropPath = config.DropPath with { CutoffEpoch = config.Epochs / 2 } };
        if (config.Dropout.Mode == DropMode.Late) config = config with { Dropout = config.Dropout with { CutoffEpoch = config.Epochs / 2 } };
        return config;
    }

    /// <summary>
    /// A fine-tune of <paramref name="parent"/> (run <paramref name="parentRunId"/>) on <paramref name="task"/>: same model and
    /// optimizer, every regularizer off (the paper fine-tunes without dropout), a short schedule at a tenth of the learning rate.
    /// </summary>
    public static RunConfig FineTune(RunConfig parent, long parentRunId, DownstreamTask task)
    {
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(task);
        return MethodPresets.Apply(Methods.NoDropout, parent) with
        {
            Name = $"fine-tune of #{parentRunId} ({Methods.Describe(parent)}) on {task.Label}",
            Project = Project,
            Tags = [DownstreamTag],
            Dataset = task.Dataset,
            DatasetPath = null,
            TrainSubset = task.TrainSubset,
            Epochs = FineTuneEpochs,
            WarmupEpochs = 0,
            Lr = parent.Lr / 10,
            EarlyStopping = null,
            MaxStepsPerEpoch = null,
            ParentRunId = parentRunId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The few-shot downstream subset: a stratified 1000 examples (100 per class on the 10-class sets).</summary>
    public const int FewShotSubset = 1000;

    /// <summary>Datasets with a default location whose files are on this machine (the others are not offered).</summary>
    public static IReadOnlyList<string> InstalledDatasets() =>
        KnownDatasets.All.Where(name => Training.Data.DatasetCatalog.DefaultPath(name) is { } path && (Directory.Exists(path) || File.Exists(path))).ToList();

    /// <summary>Each installed dataset whole and as a few-shot subset; other datasets first, as they are the real transfer.</summary>
    public static IReadOnlyList<DownstreamTask> DownstreamTasks(IEnumerable<string> installedDatasets) =>
        installedDatasets.OrderBy(name => name == KnownDatasets.FashionMnist).ThenBy(name => name, StringComparer.Ordinal)
            .SelectMany(name => new[] { new DownstreamTask(name, null), new DownstreamTask(name, FewShotSubset) }).ToList();

    private static RunConfig Common(string model, int epochs) => new()
    {
        Model = model,
        Dataset = KnownDatasets.FashionMnist,
        Epochs = epochs,
        BatchSize = 128,
        Optimizer = OptimizerKind.AdamW,
        Lr = 1e-3,
        WeightDecay = 0.05,
        WarmupEpochs = 1,
        LabelSmoothing = 0.1,
    };

    private static RunConfig Early(string model, int epochs) => Common(model, epochs);

    private static RunConfig Late(string model) => Common(model, LateEpochs) with { TrainSubset = LateTrainSubset };

    private static List<KeyValuePair<string, string>> Rows(params string[] paperRows) =>
        paperRows.Select(row => KeyValuePair.Create(row, MethodOfPaperRow[row])).ToList();
}

/// <summary>A downstream task for fine-tuning: a dataset, optionally a seeded class-stratified subset of its training set.</summary>
public sealed record DownstreamTask(string Dataset, int? TrainSubset)
{
    public string Label => TrainSubset is { } subset ? $"{Dataset} ({subset} examples)" : Dataset;

    /// <summary>A stable key for URLs and form values: "mnist" or "fashion-mnist:1000".</summary>
    public string Key => TrainSubset is { } subset ? $"{Dataset}:{subset}" : Dataset;

    public static DownstreamTask? FromKey(string? key)
    {
        if (string.IsNullOrEmpty(key)) return null;
        var parts = key.Split(':');
        if (!KnownDatasets.IsKnown(parts[0])) return null;
        if (parts.Length == 1) return new DownstreamTask(parts[0], null);
        return parts.Length == 2 && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var subset) && subset > 0
            ? new DownstreamTask(parts[0], subset)
            : null;
    }
}
