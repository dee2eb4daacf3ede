using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Compare;

namespace Tracker.Web.Features.Runs;

/// <summary>What a chosen /runs column shows: a config field's value or a metric's summary.</summary>
public enum RunColumnKind
{
    Config,
    Metric,
}

/// <summary>
/// A column the user added to /runs. Written <c>config:lr</c> or <c>metric:val/acc</c> in the URL's <c>cols</c> (and so in a
/// saved view): a metric key and a config path can be spelled the same ("lr").
/// </summary>
public sealed record RunColumn(RunColumnKind Kind, string Name)
{
    public const string ConfigPrefix = "config:";
    public const string MetricPrefix = "metric:";

    /// <summary>How the URL writes it.</summary>
    public string Id => (Kind == RunColumnKind.Config ? ConfigPrefix : MetricPrefix) + Name;

    /// <summary>The header: a metric with a direction says it shows the best value.</summary>
    public string Title => Kind == RunColumnKind.Config
        ? RunConfigFields.Find(Name)?.Label ?? Name
        : MetricKeys.HasBest(Name) ? $"{Name} (best)" : $"{Name} (last)";

    /// <summary>A column id from the URL; null for one that names no config field or is not a metric key.</summary>
    public static RunColumn? Parse(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        id = id.Trim();
        if (id.StartsWith(ConfigPrefix, StringComparison.Ordinal))
            return id[ConfigPrefix.Length..] is var path && (path == ConfigFields.MethodPath || RunConfigFields.Find(path) is not null)
                ? new RunColumn(RunColumnKind.Config, path) : null;
        if (id.StartsWith(MetricPrefix, StringComparison.Ordinal))
            return id[MetricPrefix.Length..] is { Length: > 0 and <= Data.Configuration.Limits.Key } key && !InputRules.HasControlCharacter(key)
                ? new RunColumn(RunColumnKind.Metric, key) : null;
        return null;
    }

    /// <summary>The columns of a <c>cols</c> value (comma-separated ids), unknown ones and repeats dropped, in order.</summary>
    public static IReadOnlyList<RunColumn> ParseList(string? ids) =>
        (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Parse).OfType<RunColumn>().Distinct().Take(MaxColumns).ToList();

    /// <summary>More would not fit a screen; the URL stays short too.</summary>
    public const int MaxColumns = 12;
}

/// <summary>The values of the chosen columns for a page of runs, and the columns one can choose from.</summary>
public static class RunColumns
{
    /// <summary>Every config field (and the method label), in the config table's order.</summary>
    public static IReadOnlyList<RunColumn> ConfigChoices { get; } =
        [new(RunColumnKind.Config, ConfigFields.MethodPath), .. RunConfigFields.All.Where(f => f.Kind != Shared.ConfigFieldKind.Section)
            .Select(f => new RunColumn(RunColumnKind.Config, f.Path))];

    /// <summary>The metric keys that some run has a summary of, the well-known ones first.</summary>
    public static async Task<IReadOnlyList<RunColumn>> MetricChoicesAsync(TrackerDbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var keys = await context.RunSummaries.AsNoTracking().Select(s => s.Key).Distinct().ToListAsync(cancellationToken);
        return keys.OrderBy(k => MetricKeys.HasBest(k) ? 0 : 1).ThenBy(k => k, StringComparer.Ordinal)
            .Select(k => new RunColumn(RunColumnKind.Metric, k)).ToList();
    }

    /// <summary>
    /// Each run's text for each column (null where it has none): config values from the runs' configs, metric values from
    /// their summaries (best for a metric with a direction, else last). Two queries, whatever the number of columns.
    /// </summary>
    public static async Task<IReadOnlyDictionary<long, string?[]>> ValuesAsync(TrackerDbContext context, IReadOnlyCollection<long> runIds,
        IReadOnlyList<RunColumn> columns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(columns);
        var values = runIds.ToDictionary(id => id, _ => new string?[columns.Count]);
        if (columns.Count == 0 || runIds.Count == 0) return values;

        if (columns.Any(c => c.Kind == RunColumnKind.Config))
        {
            var configs = await context.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id)).Select(r => new { r.Id, r.Config, r.LoggedByScript })
                .ToListAsync(cancellationToken);
            foreach (var run in configs)
            {
                // A script's run has no queue config: its stored one is a placeholder, not what it trained with.
                if (run.LoggedByScript) continue;
                var fields = ConfigFields.Flatten(run.Config).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
                for (var i = 0; i < columns.Count; i++)
                    if (columns[i].Kind == RunColumnKind.Config) values[run.Id][i] = fields.GetValueOrDefault(columns[i].Name);
            }
        }

        var keys = columns.Where(c => c.Kind == RunColumnKind.Metric).Select(c => c.Name).Distinct().ToList();
        if (keys.Count > 0)
        {
            var summaries = await context.RunSummaries.AsNoTracking().Where(s => runIds.Contains(s.RunId) && keys.Contains(s.Key))
                .Select(s => new { s.RunId, s.Key, s.Last, s.Min, s.Max }).ToListAsync(cancellationToken);
            foreach (var summary in summaries)
            {
                var value = !MetricKeys.HasBest(summary.Key) ? summary.Last : MetricKeys.HigherIsBetter(summary.Key) ? summary.Max : summary.Min;
                for (var i = 0; i < columns.Count; i++)
                    if (columns[i].Kind == RunColumnKind.Metric && columns[i].Name == summary.Key)
                        values[summary.RunId][i] = value.ToString("G5", CultureInfo.InvariantCulture);
            }
        }
        return values;
    }
}
