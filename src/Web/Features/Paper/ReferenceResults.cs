using System.Text.Json;

namespace Tracker.Web.Features.Paper;

/// <summary>The paper the reference numbers come from, and where they were copied from.</summary>
public sealed record ReferencePaper(string Title, string Authors, string Venue, string Arxiv, string Code);

/// <summary>One row of a published table; a null value is a cell the source gives no number for, and stays empty.</summary>
public sealed record ReferenceRow(string Name, IReadOnlyList<double?> Values);

/// <summary>
/// One published table. <see cref="Verified"/> false: its numbers come from third-party summaries that could not be
/// checked against the paper, so every view marks them unverified.
/// </summary>
public sealed record ReferenceTable(string Id, string Title, string Metric, bool Verified, IReadOnlyList<string> Columns, IReadOnlyList<ReferenceRow> Rows)
{
    /// <summary>The published value of a cell; null when the row or column is not in the table or the source gives none.</summary>
    public double? ValueAt(string row, string column)
    {
        var columnIndex = Columns.ToList().IndexOf(column);
        return columnIndex < 0 ? null : Rows.FirstOrDefault(r => r.Name == row)?.Values[columnIndex];
    }
}

/// <summary>One of the paper's recipes for a method, as the reference file states it.</summary>
public sealed record ReferenceRecipe(string Method, string Model, double Rate, string Target, string Mode, string? Schedule, int? CutoffEpoch, int Epochs);

/// <summary>
/// The paper's published numbers (<c>Features/Paper/reference-results.json</c>, embedded in this assembly): tables in file order,
/// rows in file order, the notes that say where they come from, the recipes and the training defaults.
/// Parsed by hand from the JSON document because the rows are an object whose key order is the table's row order.
/// </summary>
public sealed record ReferenceResults(
    ReferencePaper Paper, IReadOnlyList<string> Notes, IReadOnlyList<ReferenceTable> Tables, IReadOnlyList<ReferenceRecipe> Recipes,
    IReadOnlyList<KeyValuePair<string, string>> TrainingDefaults)
{
    public const string ResourceName = "Tracker.Web.Features.Paper.reference-results.json";

    private static readonly Lazy<ReferenceResults> Embedded = new(() =>
    {
        using var stream = typeof(ReferenceResults).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The assembly lacks its embedded resource '{ResourceName}'.");
        return Parse(stream);
    });

    /// <summary>The copy built into the app; parsed once.</summary>
    public static ReferenceResults Load() => Embedded.Value;

    public ReferenceTable? Table(string id) => Tables.FirstOrDefault(t => t.Id == id);

    /// <exception cref="InvalidDataException">The document lacks a field or a row's length differs from its table's columns.</exception>
    public static ReferenceResults Parse(Stream json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        try
        {
            var paper = root.GetProperty("paper");
            return new ReferenceResults(
                new ReferencePaper(Text(paper, "title"), Text(paper, "authors"), Text(paper, "venue"), Text(paper, "arxiv"), Text(paper, "code")),
                root.GetProperty("notes").EnumerateArray().Select(n => n.GetString() ?? "").ToList(),
                root.GetProperty("tables").EnumerateArray().Select(ParseTable).ToList(),
                root.GetProperty("recipes").EnumerateArray().Select(ParseRecipe).ToList(),
                root.GetProperty("training_defaults").EnumerateObject()
                    .Select(p => KeyValuePair.Create(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())).ToList());
        }
        catch (Exception error) when (error is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The reference results are not in the expected form: {error.Message}", error);
        }
    }

    private static ReferenceTable ParseTable(JsonElement table)
    {
        var id = Text(table, "id");
        var columns = table.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? "").ToList();
        var rows = table.GetProperty("rows").EnumerateObject().Select(row =>
        {
            var values = row.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (double?)null : v.GetDouble()).ToList();
            if (values.Count != columns.Count)
                throw new InvalidDataException($"Row '{row.Name}' of table '{id}' has {values.Count} values for {columns.Count} columns.");
            return new ReferenceRow(row.Name, values);
        }).ToList();
        return new ReferenceTable(id, Text(table, "title"), Text(table, "metric"), table.GetProperty("verified").GetBoolean(), columns, rows);
    }

    private static ReferenceRecipe ParseRecipe(JsonElement recipe) => new(
        Text(recipe, "method"), Text(recipe, "model"), recipe.GetProperty("rate").GetDouble(), Text(recipe, "target"), Text(recipe, "mode"),
        recipe.TryGetProperty("schedule", out var schedule) ? schedule.GetString() : null,
        recipe.TryGetProperty("cutoff_epoch", out var cutoff) ? cutoff.GetInt32() : null,
        recipe.GetProperty("epochs").GetInt32());

    private static string Text(JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new InvalidDataException($"'{name}' is null.");
}
