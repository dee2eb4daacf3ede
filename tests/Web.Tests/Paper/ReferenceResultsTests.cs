using System.Text.Json;
using Tracker.Web.Features.Paper;
using Tracker.Web.Tests.Support;

namespace Tracker.Web.Tests.Paper;

/// <summary>The paper's published numbers as the app reads them: every number as written, every missing one still missing.</summary>
public class ReferenceResultsTests
{
    private static readonly string RepositoryCopy = RepositoryRoot.Combine("src", "Web", "Features", "Paper", "reference-results.json");

    [Fact]
    public void EmbeddedCopy_IsTheRepositoryFile_ByteForByte()
    {
        using var stream = typeof(ReferenceResults).Assembly.GetManifestResourceStream(ReferenceResults.ResourceName);
        Assert.NotNull(stream);
        using var embedded = new MemoryStream();
        stream.CopyTo(embedded);

        Assert.Equal(File.ReadAllBytes(RepositoryCopy), embedded.ToArray());
    }

    [Fact]
    public void EveryCell_HasTheFilesValue_AndEveryNullStaysNull()
    {
        var loaded = ReferenceResults.Load();
        using var document = JsonDocument.Parse(File.ReadAllBytes(RepositoryCopy));
        var tables = document.RootElement.GetProperty("tables").EnumerateArray().ToList();

        Assert.Equal(tables.Select(t => t.GetProperty("id").GetString()), loaded.Tables.Select(t => t.Id));
        var nulls = 0;
        foreach (var json in tables)
        {
            var table = loaded.Table(json.GetProperty("id").GetString()!)!;
            var rows = json.GetProperty("rows").EnumerateObject().ToList();
            Assert.Equal(rows.Select(r => r.Name), table.Rows.Select(r => r.Name)); // the paper's row order
            foreach (var (row, loadedRow) in rows.Zip(table.Rows))
            {
                foreach (var (value, loadedValue) in row.Value.EnumerateArray().Zip(loadedRow.Values))
                {
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        Assert.Null(loadedValue);
                        nulls++;
                    }
                    else
                    {
                        Assert.Equal(value.GetDouble(), loadedValue);
                    }
                }
            }
        }
        Assert.True(nulls > 0, "The reference has empty cells; the test must see them.");
    }

    [Fact]
    public void EarlyBasic_HoldsThePublishedNumbers_WithConvNextDropoutLeftEmpty()
    {
        var table = ReferenceResults.Load().Table("early-basic")!;

        Assert.True(table.Verified);
        Assert.Equal(74.3, table.ValueAt("early dropout", "ViT-T"));
        Assert.Equal(73.9, table.ValueAt("no dropout", "ViT-T"));
        Assert.Null(table.ValueAt("early dropout", "ConvNeXt-F"));
        Assert.Null(table.ValueAt("standard dropout", "ConvNeXt-F"));
        Assert.Null(table.ValueAt("no such row", "ViT-T"));
    }

    [Fact]
    public void TablesFromThirdPartySummaries_AreFlaggedUnverified()
    {
        var unverified = ReferenceResults.Load().Tables.Where(t => !t.Verified).Select(t => t.Id);

        Assert.Equal(["vit-t-train-loss", "ade20k"], unverified);
    }

    [Fact]
    public void PaperAndSources_AreRead()
    {
        var reference = ReferenceResults.Load();

        Assert.Equal("Dropout Reduces Underfitting", reference.Paper.Title);
        Assert.Contains("30cc113983fd99d62d8e2b0275ef066857681210", reference.Paper.Code, StringComparison.Ordinal);
        Assert.Equal(3, reference.Notes.Count);
        Assert.Contains(reference.Recipes, r => r is { Method: "early dropout", Rate: 0.1, CutoffEpoch: 50, Epochs: 300 });
    }

    [Fact]
    public void RowWithTheWrongNumberOfValues_IsRejected()
    {
        var json = File.ReadAllText(RepositoryCopy).Replace("[73.9, 71.0, 74.3, 76.1]", "[73.9, 71.0]", StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => ReferenceResults.Parse(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))));

        Assert.Contains("no dropout", error.Message, StringComparison.Ordinal);
    }
}
