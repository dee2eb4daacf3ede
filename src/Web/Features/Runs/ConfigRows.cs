using Tracker.Shared;

namespace Tracker.Web.Features.Runs;

/// <summary>One config field as a row: its JSON path (e.g. "dropout.rate", as validation errors name it) and its value as text.</summary>
public sealed record ConfigRow(string Field, string Value);

/// <summary>A run config as a flat list of every field, unset ones included, in the order the JSON writes them.</summary>
public static class ConfigRows
{
    /// <summary>What an unset (null) field shows, e.g. no early stopping or no subset.</summary>
    public const string NotSet = RunConfigFields.NotSet;

    public static IReadOnlyList<ConfigRow> Of(RunConfig config) =>
        RunConfigFields.Values(config).Select(v => new ConfigRow(v.Key, v.Value ?? NotSet)).ToList();
}
