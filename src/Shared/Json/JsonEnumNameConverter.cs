using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tracker.Shared;

/// <summary>
/// Reads and writes an enum as its camelCase name (or its <see cref="JsonStringEnumMemberNameAttribute"/>),
/// and rejects anything else with a message that lists the allowed values. It is put on each enum type
/// with <c>[JsonConverter]</c>, so the wire format holds under any serializer options (SignalR, minimal APIs).
/// </summary>
public sealed class JsonEnumNameConverter<T> : JsonConverter<T> where T : struct, Enum
{
    private static readonly (T Value, string Name)[] Members = typeof(T)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => ((T)f.GetValue(null)!,
            f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(f.Name)))
        .ToArray();

    /// <summary>The accepted names, in declaration order, e.g. for a form's drop-down.</summary>
    public static IReadOnlyList<string> Names { get; } = Members.Select(m => m.Name).ToArray();

    public static string NameOf(T value)
    {
        foreach (var (v, name) in Members)
        {
            if (EqualityComparer<T>.Default.Equals(v, value))
            {
                return name;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a defined {typeof(T).Name} value.");
    }

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // Numbers are refused on purpose: a stored "2" silently changes meaning if members are reordered.
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"expected one of {AllowedList()} (as a string).");
        }
        var text = reader.GetString()!;
        foreach (var (value, name) in Members)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        throw new JsonException($"'{text}' is not a valid value. Use one of {AllowedList()}.");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(NameOf(value));

    private static string AllowedList() => string.Join(", ", Names.Select(n => $"'{n}'"));
}
