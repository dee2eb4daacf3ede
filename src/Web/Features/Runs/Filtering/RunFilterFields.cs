using System.Linq.Expressions;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs.Filtering;

/// <summary>How a field compares, which decides the operators and values it accepts.</summary>
public enum FilterFieldKind
{
    /// <summary>Free text: = and != exactly, ~ contains ignoring case.</summary>
    Text,
    /// <summary>One of a few words (an enum of the config): = and != only, the value checked against <see cref="RunFilterField.Choices"/>.</summary>
    Choice,
    /// <summary>Any of the run's tags: = has it, != lacks it, ~ one contains it.</summary>
    Tag,
    /// <summary>The run's status: = and !=.</summary>
    Status,
    /// <summary>A number: every comparison but ~.</summary>
    Number,
}

/// <summary>A field the filter language knows, and the column it reads.</summary>
public sealed record RunFilterField(string Name, FilterFieldKind Kind, LambdaExpression Column, IReadOnlyList<string>? Choices = null);

/// <summary>
/// The fields of the filter language: the run's listed columns and the config fields promoted to columns
/// (<see cref="Run.WithConfigColumns"/>). Names are the config's JSON paths (dropout.rate), matched ignoring case.
/// Metric keys (anything with a '/') are not listed: every key a run records can be compared.
/// </summary>
public static class RunFilterFields
{
    public static IReadOnlyList<RunFilterField> All { get; } =
    [
        Text("name", r => r.Name),
        Text("project", r => r.Project!.Name),
        Text("model", r => r.Model),
        Text("dataset", r => r.Dataset),
        Text("method", r => r.Method),
        new("status", FilterFieldKind.Status, (Expression<Func<Run, RunStatus>>)(r => r.Status), Enum.GetNames<RunStatus>().Select(n => n.ToLowerInvariant()).ToList()),
        new("tag", FilterFieldKind.Tag, (Expression<Func<Run, List<string>>>)(r => r.Tags)),
        Text("owner", r => r.Owner),
        Text("sweep", r => r.SweepId),
        Number("lr", r => r.Lr),
        Number("epochs", r => r.Epochs),
        Number("batchSize", r => r.BatchSize),
        Number("seed", r => r.Seed),
        Choice<OptimizerKind>("optimizer", r => r.Optimizer),
        Number("weightDecay", r => r.WeightDecay),
        Number("warmupEpochs", r => r.WarmupEpochs),
        Number("labelSmoothing", r => r.LabelSmoothing),
        Number("dropout.rate", r => r.DropoutRate),
        Choice<DropMode>("dropout.mode", r => r.DropoutMode),
        Choice<DropSchedule>("dropout.schedule", r => r.DropoutSchedule),
        Number("dropout.cutoffEpoch", r => r.DropoutCutoffEpoch),
        Number("dropPath.rate", r => r.DropPathRate),
        Choice<DropMode>("dropPath.mode", r => r.DropPathMode),
        Choice<DropSchedule>("dropPath.schedule", r => r.DropPathSchedule),
        Number("dropPath.cutoffEpoch", r => r.DropPathCutoffEpoch),
        Number("rDrop.alpha", r => r.RDropAlpha),
        Number("dropConnect.rate", r => r.DropConnectRate),
        Number("l1", r => r.L1),
        Number("l2", r => r.L2),
        Number("trainSubset", r => r.TrainSubset),
        Number("epochsDone", r => r.EpochsCompleted),
        Number("progress", r => r.Progress),
    ];

    private static readonly Dictionary<string, RunFilterField> ByName = All.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    public static RunFilterField? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>A metric key names a <see cref="RunSummary"/> row: val/acc, train/loss, grad/norm.</summary>
    public static bool IsMetricKey(string name) => name.Contains('/', StringComparison.Ordinal);

    private static RunFilterField Text(string name, Expression<Func<Run, string?>> column) => new(name, FilterFieldKind.Text, column);

    private static RunFilterField Number(string name, Expression<Func<Run, double>> column) => new(name, FilterFieldKind.Number, column);

    private static RunFilterField Number(string name, Expression<Func<Run, double?>> column) => new(name, FilterFieldKind.Number, column);

    private static RunFilterField Number(string name, Expression<Func<Run, int>> column) => new(name, FilterFieldKind.Number, column);

    private static RunFilterField Number(string name, Expression<Func<Run, int?>> column) => new(name, FilterFieldKind.Number, column);

    private static RunFilterField Choice<TEnum>(string name, Expression<Func<Run, string>> column) where TEnum : struct, Enum =>
        new(name, FilterFieldKind.Choice, column, JsonEnumNameConverter<TEnum>.Names);
}
