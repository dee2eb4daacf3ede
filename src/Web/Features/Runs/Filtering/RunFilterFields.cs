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
        .. RunConfigFields.All.Where(f => f.Filterable).Select(ConfigColumn),
        Number("epochsDone", r => r.EpochsCompleted),
        Number("progress", r => r.Progress),
    ];

    private static readonly Dictionary<string, RunFilterField> ByName = All.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    public static RunFilterField? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>A metric key names a <see cref="RunSummary"/> row: val/acc, train/loss, grad/norm.</summary>
    public static bool IsMetricKey(string name) => name.Contains('/', StringComparison.Ordinal);

    private static RunFilterField Text(string name, Expression<Func<Run, string?>> column) => new(name, FilterFieldKind.Text, column);

    private static RunFilterField Number(string name, Expression<Func<Run, double>> column) => new(name, FilterFieldKind.Number, column);

    private static RunFilterField Number(string name, Expression<Func<Run, int>> column) => new(name, FilterFieldKind.Number, column);

    /// <summary>A config field of the table, read from the run column <see cref="Run.WithConfigColumns"/> fills.</summary>
    private static RunFilterField ConfigColumn(ConfigFieldInfo field)
    {
        var run = Expression.Parameter(typeof(Run), "r");
        var column = Expression.Lambda(Expression.Property(run, Run.ConfigColumnName(field.Path)), run);
        return field.Kind switch
        {
            ConfigFieldKind.Integer or ConfigFieldKind.Number => new(field.Path, FilterFieldKind.Number, column),
            ConfigFieldKind.Choice => new(field.Path, FilterFieldKind.Choice, column, field.Choices),
            ConfigFieldKind.Text => new(field.Path, FilterFieldKind.Text, column),
            _ => throw new InvalidOperationException($"{field.Path}: a {field.Kind} field cannot be a filter column."),
        };
    }
}
