using System.Text.Json;
using System.Text.Json.Nodes;
using Tracker.Shared;

namespace Tracker.Web.Features.Sweeps;

/// <summary>
/// Sets values in a run config by their camelCase JSON path ("lr", "dropout.rate"), through the config's own JSON,
/// so every field the config file accepts can be searched and a wrong path or type fails as a config file would.
/// </summary>
public static class ConfigPaths
{
    /// <summary>
    /// The config with each path set to its value, or the sentence saying why it cannot be (unknown path, wrong type).
    /// Missing objects on the way (rDrop of a config without R-Drop) are created.
    /// </summary>
    public static (RunConfig? Config, string? Error) TrySet(RunConfig config, IReadOnlyDictionary<string, object> values)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(values);
        var root = JsonSerializer.SerializeToNode(config, TrackerJson.Options)!.AsObject();
        foreach (var (path, value) in values)
        {
            var segments = path.Split('.');
            var node = root;
            foreach (var segment in segments[..^1])
            {
                if (node[segment] is JsonObject child) node = child;
                else if (node[segment] is null) node = (JsonObject)(node[segment] = new JsonObject());
                else return (null, $"'{path}': '{segment}' is not an object in the run config.");
            }
            node[segments[^1]] = value is JsonElement element ? JsonNode.Parse(element.GetRawText()) : JsonSerializer.SerializeToNode(value, value.GetType());
        }
        return RunConfigJson.TryParse(root.ToJsonString(), out var changed, out var error) ? (changed, null) : (null, error);
    }
}
