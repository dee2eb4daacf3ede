using Tracker.Shared;

namespace Tracker.Web.Data;

/// <summary>
/// The config fields people filter runs by (the /runs filter language), copied out of <see cref="Run.Config"/> into
/// columns so a filter is a plain indexed comparison instead of a JSON parse per row. Enums hold their JSON names
/// ("adamw", "early", "linear"), the words a config file and a filter use. Written once, by <see cref="FromConfig"/>:
/// a run's config never changes after it is queued.
/// </summary>
public sealed partial class Run
{
    public double Lr { get; set; }
    public int Epochs { get; set; }
    public int BatchSize { get; set; }
    public int Seed { get; set; }
    public string Optimizer { get; set; } = "";
    public double WeightDecay { get; set; }
    public int WarmupEpochs { get; set; }
    public double LabelSmoothing { get; set; }

    public double DropoutRate { get; set; }
    public string DropoutMode { get; set; } = "";
    public string DropoutSchedule { get; set; } = "";
    public int? DropoutCutoffEpoch { get; set; }

    public double DropPathRate { get; set; }
    public string DropPathMode { get; set; } = "";
    public string DropPathSchedule { get; set; } = "";
    public int? DropPathCutoffEpoch { get; set; }

    /// <summary>Null when R-Drop is off.</summary>
    public double? RDropAlpha { get; set; }
    /// <summary>Null when DropConnect is off.</summary>
    public double? DropConnectRate { get; set; }
    public double L1 { get; set; }
    public double L2 { get; set; }
    /// <summary>Null = the whole training set.</summary>
    public int? TrainSubset { get; set; }

    /// <summary>The last/min/max of each metric; filters on metrics read these, never the points.</summary>
    public List<RunSummary> Summaries { get; } = [];

    /// <summary>Fills the promoted columns from <paramref name="config"/>; returns this run.</summary>
    public Run WithConfigColumns(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Lr = config.Lr;
        Epochs = config.Epochs;
        BatchSize = config.BatchSize;
        Seed = config.Seed;
        Optimizer = JsonEnumNameConverter<OptimizerKind>.NameOf(config.Optimizer);
        WeightDecay = config.WeightDecay;
        WarmupEpochs = config.WarmupEpochs;
        LabelSmoothing = config.LabelSmoothing;
        DropoutRate = config.Dropout.Rate;
        DropoutMode = JsonEnumNameConverter<DropMode>.NameOf(config.Dropout.Mode);
        DropoutSchedule = JsonEnumNameConverter<DropSchedule>.NameOf(config.Dropout.Schedule);
        DropoutCutoffEpoch = config.Dropout.CutoffEpoch;
        DropPathRate = config.DropPath.Rate;
        DropPathMode = JsonEnumNameConverter<DropMode>.NameOf(config.DropPath.Mode);
        DropPathSchedule = JsonEnumNameConverter<DropSchedule>.NameOf(config.DropPath.Schedule);
        DropPathCutoffEpoch = config.DropPath.CutoffEpoch;
        RDropAlpha = config.RDrop?.Alpha;
        DropConnectRate = config.DropConnect?.Rate;
        L1 = config.L1;
        L2 = config.L2;
        TrainSubset = config.TrainSubset;
        return this;
    }
}
