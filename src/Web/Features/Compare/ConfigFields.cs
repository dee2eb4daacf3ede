using Tracker.Shared;

namespace Tracker.Web.Features.Compare;

/// <summary>One config field across the compared runs: its path and each run's value (null where the run lacks it).</summary>
public sealed record ConfigDiffRow(string Path, IReadOnlyList<string?> Values)
{
    /// <summary>Not every run has the same value (a missing field counts as a value of its own).</summary>
    public bool Differs => Values.Distinct(StringComparer.Ordinal).Skip(1).Any();
}

/// <summary>
/// A run config as flat field paths (<c>dropout.rate</c> = <c>0.1</c>), the rows of the comparison's diff table and the
/// keys a comparison can group by. The paths are the config JSON's camelCase names, as the validator reports them.
/// </summary>
public static class ConfigFields
{
    /// <summary>The paper's method label; not a config field but derived from one, so it leads the table and can group runs.</summary>
    public const string MethodPath = "method";

    /// <summary>What a group is called whose runs lack the grouping field.</summary>
    public const string NotSet = RunConfigFields.NotSet;

    /// <summary>Path to value, in the order the config JSON writes them, starting with <see cref="MethodPath"/>; unset fields are left out.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Flatten(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var fields = new List<KeyValuePair<string, string>> { new(MethodPath, Methods.Describe(config)) };
        foreach (var (path, value) in RunConfigFields.Values(config))
            if (value is not null) fields.Add(new(path, value));
        return fields;
    }

    /// <summary>One row per path any run has, in first-seen order; <paramref name="hideIdentical"/> keeps only rows that differ.</summary>
    public static IReadOnlyList<ConfigDiffRow> Diff(IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> runs, bool hideIdentical)
    {
        var paths = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lookups = new List<Dictionary<string, string>>(runs.Count);
        foreach (var fields in runs)
        {
            foreach (var (path, _) in fields)
                if (seen.Add(path)) paths.Add(path);
            lookups.Add(fields.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal));
        }
        var rows = paths.Select(path => new ConfigDiffRow(path, lookups.Select(l => l.GetValueOrDefault(path)).ToList()));
        return (hideIdentical ? rows.Where(r => r.Differs) : rows).ToList();
    }

    /// <summary>The value a run groups under for <paramref name="path"/>.</summary>
    public static string GroupValue(IReadOnlyList<KeyValuePair<string, string>> fields, string path)
    {
        foreach (var (key, value) in fields)
            if (key == path) return value;
        return NotSet;
    }
}
