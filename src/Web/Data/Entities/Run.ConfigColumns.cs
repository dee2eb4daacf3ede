using System.Reflection;
using Tracker.Shared;

namespace Tracker.Web.Data;

/// <summary>
/// The config fields people filter runs by (the /runs filter language), copied out of <see cref="Run.Config"/> into
/// columns so a filter is a plain indexed comparison instead of a JSON parse per row. Enums hold their JSON names
/// ("adamw", "early", "linear"), the words a config file and a filter use. Which fields: those marked
/// <see cref="ConfigFieldInfo.Filterable"/> in <see cref="RunConfigFields"/>. Written once, by <see cref="FromConfig"/>:
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

    /// <summary>The column of a filterable config field: its path in PascalCase without dots ("dropout.rate" = DropoutRate).</summary>
    public static string ConfigColumnName(string path) =>
        string.Concat(path.Split('.').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    // The columns of the table's filterable fields, found once; a test checks each has a column of the value's type.
    private static readonly (ConfigFieldInfo Field, PropertyInfo Column)[] ConfigColumnProperties = RunConfigFields.All
        .Where(f => f.Filterable)
        .Select(f => (f, typeof(Run).GetProperty(ConfigColumnName(f.Path))
            ?? throw new InvalidOperationException($"Run has no column {ConfigColumnName(f.Path)} for the filterable config field {f.Path}.")))
        .ToArray();

    /// <summary>Fills the promoted columns from <paramref name="config"/>, as <see cref="RunConfigFields"/> reads them; returns this run.</summary>
    public Run WithConfigColumns(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var (field, column) in ConfigColumnProperties) column.SetValue(this, field.Read(config));
        return this;
    }
}
