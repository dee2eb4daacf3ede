using System.Text.Json;
using System.Text.Json.Nodes;
using Tracker.Shared;

namespace Tracker.Web.Features.Ingest;

/// <summary>
/// A script's free-form config next to the queue's <see cref="RunConfig"/>: which known fields it carries (they fill
/// the run's columns, so filters, /compare and the paper tables see them), and whether it is a whole run config the
/// queue could train (then a script run may be retried or cloned).
/// </summary>
public static class ScriptConfigs
{
    /// <summary>What a script run's model or dataset column says when its config does not name one.</summary>
    public const string Unknown = "unknown";

    // Every JSON path of RunConfig and the objects that hold them ("dropout" for "dropout.rate"), from the one table of its fields (decision 0015).
    private static readonly HashSet<string> KnownPaths = RunConfigFields.All
        .SelectMany(f => f.Path.Split('.').Select((_, i) => string.Join('.', f.Path.Split('.').Take(i + 1))))
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The run config a script run is listed by: <paramref name="name"/>, <paramref name="project"/> and
    /// <paramref name="tags"/>, and each known field of <paramref name="scriptConfig"/> that is present and valid
    /// (a field of the wrong type or out of range is left at its default; the script's own config is kept whole beside
    /// it). Unknown keys are ignored here. Model and dataset read <see cref="Unknown"/> when the script does not say.
    /// </summary>
    public static RunConfig Known(JsonObject? scriptConfig, string name, string project, IReadOnlyList<string> tags)
    {
        var known = new JsonObject();
        if (scriptConfig is not null) CopyKnown(scriptConfig, known, prefix: "");
        foreach (var listedElsewhere in new[] { "name", "project", "tags" }) known.Remove(listedElsewhere);

        var config = new RunConfig();
        // Each round drops the one field that broke parsing or validation; a config has a few dozen fields at most.
        for (var round = 0; round <= KnownPaths.Count; round++)
        {
            RunConfig? parsed;
            try
            {
                parsed = known.Deserialize<RunConfig>(TrackerJson.Options);
            }
            catch (JsonException error) when (error.Path is { } path && Remove(known, path))
            {
                continue;
            }
            catch (JsonException)
            {
                break;
            }
            if (parsed is null) break;
            parsed = parsed with { Name = name, Project = project, Tags = tags };
            var wrong = RunConfigValidator.Validate(parsed).Select(e => e.Field).FirstOrDefault(field => Remove(known, field));
            if (wrong is null)
            {
                config = parsed;
                break;
            }
        }
        return config with
        {
            Name = name,
            Project = project,
            Tags = tags,
            Model = Has(known, "model") ? config.Model : Unknown,
            Dataset = Has(known, "dataset") ? config.Dataset : Unknown,
        };
    }

    /// <summary>
    /// The run config the queue would train for a script run, or why there is none: the script's config must be a
    /// whole, valid run config (the queue's own rules), with the run's name, project and tags.
    /// </summary>
    public static (RunConfig? Config, string? Problem) Queueable(long runId, string? scriptConfig, string name, string project, IReadOnlyList<string> tags)
    {
        var why = $"Run {runId} was logged by a script, and its config is not a run config the queue can train";
        if (!RunConfigJson.TryParse(scriptConfig ?? "{}", out var parsed, out var error)) return (null, $"{why}: {error}");
        var config = parsed with { Name = name, Project = project, Tags = tags };
        if (RunConfigValidator.Validate(config) is { Count: > 0 } errors) return (null, $"{why}: '{errors[0].Field}': {errors[0].Message}");
        return (config, null);
    }

    private static void CopyKnown(JsonObject from, JsonObject to, string prefix)
    {
        foreach (var (property, value) in from)
        {
            var path = prefix + property;
            if (!KnownPaths.Contains(path)) continue;
            if (value is JsonObject section)
            {
                var copy = new JsonObject();
                CopyKnown(section, copy, path + ".");
                to[property] = copy;
            }
            else
            {
                to[property] = value?.DeepClone();
            }
        }
    }

    private static bool Has(JsonObject config, string property) =>
        config.Any(p => string.Equals(p.Key, property, StringComparison.OrdinalIgnoreCase));

    /// <summary>Removes the property at a validator path ("dropout.rate") or a JSON path ("$.dropout.rate", "$.tags[0]"); false when absent.</summary>
    private static bool Remove(JsonObject config, string path)
    {
        var parts = path.TrimStart('$').TrimStart('.').Split('.');
        JsonObject? parent = config;
        for (var i = 0; i < parts.Length - 1 && parent is not null; i++)
            parent = parent.FirstOrDefault(p => string.Equals(p.Key, parts[i], StringComparison.OrdinalIgnoreCase)).Value as JsonObject;
        if (parent is null) return false;
        var last = parts[^1];
        var bracket = last.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0) last = last[..bracket];
        var key = parent.FirstOrDefault(p => string.Equals(p.Key, last, StringComparison.OrdinalIgnoreCase)).Key;
        return key is not null && parent.Remove(key);
    }
}
