using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Tracker.Shared;

/// <summary>Reads and writes <see cref="RunConfig"/> with the shared <see cref="TrackerJson.Options"/>.</summary>
public static class RunConfigJson
{
    public static JsonSerializerOptions Options => TrackerJson.Options;

    public static string Serialize(RunConfig config, bool indented = false) =>
        JsonSerializer.Serialize(config, indented ? TrackerJson.IndentedOptions : TrackerJson.Options);

    /// <summary>Parses a config; throws <see cref="FormatException"/> whose message names the field and line.</summary>
    public static RunConfig Parse(string json)
    {
        if (TryParse(json, out var config, out var error))
        {
            return config;
        }
        throw new FormatException(error);
    }

    /// <summary>Parses a config without throwing; <paramref name="error"/> is a sentence fit to show a user.</summary>
    public static bool TryParse(string? json, [NotNullWhen(true)] out RunConfig? config, [NotNullWhen(false)] out string? error)
    {
        config = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            error = "Invalid run config: the text is empty.";
            return false;
        }
        try
        {
            config = JsonSerializer.Deserialize<RunConfig>(json, TrackerJson.Options);
        }
        catch (JsonException ex)
        {
            error = TrackerJson.Describe(ex, "run config");
            return false;
        }
        if (config is null)
        {
            error = "Invalid run config: expected a JSON object, found null.";
            return false;
        }
        error = null;
        return true;
    }
}
