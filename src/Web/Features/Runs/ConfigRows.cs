using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tracker.Shared;

namespace Tracker.Web.Features.Runs;

/// <summary>One config field as a row: its JSON path (e.g. "dropout.rate", as validation errors name it) and its value as text.</summary>
public sealed record ConfigRow(string Field, string Value);

/// <summary>A run config as a flat list of every field, unset ones included, in the order the JSON writes them.</summary>
public static class ConfigRows
{
    /// <summary>What an unset (null) field shows, e.g. no early stopping or no subset.</summary>
    public const string NotSet = "not set";

    // The stored JSON leaves nulls out; a table of "every field" shows them as not set.
    private static readonly JsonSerializerOptions WithNulls = new(RunConfigJson.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static IReadOnlyList<ConfigRow> Of(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(config, WithNulls));
        var rows = new List<ConfigRow>();
        Flatten(json.RootElement, "", rows);
        return rows;
    }

    private static void Flatten(JsonElement element, string path, List<ConfigRow> rows)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    Flatten(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", rows);
                break;
            case JsonValueKind.Array when element.EnumerateArray().All(IsScalar):
                rows.Add(new ConfigRow(path, element.GetArrayLength() == 0 ? "none" : string.Join(", ", element.EnumerateArray().Select(Text))));
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray()) Flatten(item, $"{path}[{index++}]", rows);
                break;
            default:
                rows.Add(new ConfigRow(path, Text(element)));
                break;
        }
    }

    private static bool IsScalar(JsonElement element) => element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array);

    private static string Text(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null => NotSet,
        JsonValueKind.String => element.GetString() ?? "",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => element.TryGetDouble(out var number) ? number.ToString("G", CultureInfo.InvariantCulture) : element.GetRawText(),
        _ => element.GetRawText(),
    };
}
