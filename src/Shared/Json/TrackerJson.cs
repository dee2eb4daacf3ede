using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tracker.Shared;

/// <summary>The one set of JSON settings for run configs and training events, and readable parse errors.</summary>
public static class TrackerJson
{
    /// <summary>Compact (one line per object, as the event stream needs), camelCase, strict on reading.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>The same settings, indented for files people read and edit.</summary>
    public static JsonSerializerOptions IndentedOptions { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            // Metric keys such as "train/loss" are names, not C# members: keep them as written.
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = indented,
            // A diverged run reports NaN/Infinity; that must not break the event stream.
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            // Hand-written configs: forgive case, comments and trailing commas, but not typos in names,
            // which would otherwise silently fall back to a default.
            PropertyNameCaseInsensitive = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            // Other producers (a remote worker, a script) need not put "type" first.
            AllowOutOfOrderMetadataProperties = true,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// Turns a System.Text.Json failure into one sentence a person can act on, naming the field
    /// (camelCase path) and the line, without CLR type names or a stack trace. <paramref name="hint"/> may add
    /// a sentence for a given detail (e.g. the list of event types after "unknown type").
    /// </summary>
    public static string Describe(JsonException ex, string what, Func<string, string?>? hint = null)
    {
        var field = FieldOf(ex.Path);
        var where = ex.LineNumber is { } line
            ? $" (line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1})"
            : "";
        var detail = Clean(ex.Message, ref field);
        if (hint?.Invoke(detail) is { } extra)
        {
            detail = $"{detail} {extra}";
        }
        return field.Length > 0
            ? $"Invalid {what}: '{field}': {detail}{where}"
            : $"Invalid {what}: {detail}{where}";
    }

    /// <summary>"$.dropout.mode" -> "dropout.mode"; "$" -> "".</summary>
    internal static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "";
        }
        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    // Rewrites System.Text.Json's messages that name CLR types; clears field when the message names it already.
    private static string Clean(string message, ref string field)
    {
        // System.Text.Json appends "Path: ... | LineNumber: ..." itself; we print those our own way.
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }
        var text = (cut >= 0 ? message[..cut] : message).Trim();

        const string convertPrefix = "The JSON value could not be converted to ";
        if (text.StartsWith(convertPrefix, StringComparison.Ordinal))
        {
            var type = text[convertPrefix.Length..].TrimEnd('.');
            return $"expected {FriendlyType(type)}.";
        }
        const string unmappedPrefix = "The JSON property '";
        if (text.StartsWith(unmappedPrefix, StringComparison.Ordinal) && text.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var name = field.Length > 0 ? field : text[unmappedPrefix.Length..text.IndexOf('\'', unmappedPrefix.Length)];
            field = "";
            return $"unknown field '{name}' (check the spelling).";
        }
        if (text.Contains("missing required properties", StringComparison.Ordinal))
        {
            var list = text[(text.IndexOf(':') + 1)..].Trim().TrimEnd('.');
            return $"missing required field(s) {list}.";
        }
        if (text.Contains("doesn't allow setting null", StringComparison.Ordinal) || text.Contains("non-nullable", StringComparison.Ordinal))
        {
            return "must not be null.";
        }
        const string discriminatorPrefix = "Read unrecognized type discriminator id '";
        if (text.StartsWith(discriminatorPrefix, StringComparison.Ordinal))
        {
            var id = text[discriminatorPrefix.Length..text.IndexOf('\'', discriminatorPrefix.Length)];
            field = "";
            return $"unknown type '{id}'.";
        }
        return text;
    }

    private static string FriendlyType(string clrType) => clrType switch
    {
        "System.Int32" or "System.Int64" => "a whole number",
        "System.Double" or "System.Single" or "System.Decimal" => "a number",
        "System.Boolean" => "true or false",
        "System.String" => "a string",
        _ when clrType.Contains("Dictionary", StringComparison.Ordinal) => "an object of name/number pairs",
        _ when clrType.Contains("List", StringComparison.Ordinal) || clrType.EndsWith("[]", StringComparison.Ordinal) => "a list",
        _ => "an object",
    };
}
