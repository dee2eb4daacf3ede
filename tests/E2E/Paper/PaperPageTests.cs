using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Paper;

/// <summary>/paper shows the published tables as published, and fills this instance's cells from finished runs.</summary>
[Collection(AppInChromium.Collection)]
public sealed partial class PaperPageTests(AppInChromium fixture)
{
    private const string EarlyBasicTitle = "Early dropout, basic recipe (ImageNet-1K, 300 epochs)";

    private async Task<(IBrowserContext Context, IPage Page, PageProblems Problems)> OpenAsync(string path)
    {
        var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        await Pages.OpenAsync(page, fixture.App.Address, path);
        return (context, page, problems);
    }

    [Fact]
    public async Task PublishedTables_ShowTheirNumbers_EmptyCellsWhereTheSourceHasNone_AndUnverifiedMarks()
    {
        var (context, page, problems) = await OpenAsync("/paper");
        await using var _ = context;

        var published = page.GetByRole(AriaRole.Table, new() { Name = $"Published: {EarlyBasicTitle}" });
        var earlyDropout = published.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = "early dropout", Exact = true }) });
        var cells = earlyDropout.GetByRole(AriaRole.Cell);
        // ViT-T, Mixer-S, Swin-F, ConvNeXt-F; the paper has no ConvNeXt early dropout number.
        await Expect(cells).ToHaveTextAsync(["74.3", "71.3", "74.7", ""]);
        var trainLoss = page.Locator("section#vit-t-train-loss");
        await Expect(trainLoss.GetByText("unverified", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("section#early-basic").GetByText("unverified", new() { Exact = true })).ToHaveCountAsync(0);
        Assert.True(problems.All.Count == 0, $"{string.Join('\n', problems.All)}\nServer log:\n{fixture.App.Log}");
    }

    [Fact]
    public async Task Permalink_ShowsOnlyThatTable()
    {
        var (context, page, _) = await OpenAsync("/paper?table=late-basic");
        await using var __ = context;

        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Published: Late dropout, basic recipe (ImageNet-1K)" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = $"Published: {EarlyBasicTitle}" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task InstanceCell_FillsWhenATinyRunTaggedForTheTableFinishes()
    {
        using var http = fixture.App.CreateClient();
        var response = await http.PostAsJsonAsync("/api/runs", new
        {
            name = "e2e paper cell",
            project = "paper",
            tags = new[] { "paper:early-basic" },
            model = "vit-nano",
            dataset = "synthetic",
            epochs = 1,
            batchSize = 32,
            trainSubset = 64,
            maxStepsPerEpoch = 1,
            device = "cpu",
            analysis = new { everySteps = 0 },
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var (context, page, problems) = await OpenAsync("/paper");
        await using var _ = context;
        var instance = page.GetByRole(AriaRole.Table, new() { Name = $"This instance: {EarlyBasicTitle}" });
        var cell = instance.Locator("td[data-method='no dropout'][data-model='vit-nano']");
        Assert.Equal("succeeded", await WaitUntilFinishedAsync(http, runId));

        // Live: the page subscribed to the queued run and reads the table again when it finishes.
        await Expect(cell).ToContainTextAsync("n=1");
        await Expect(cell).ToContainTextAsync(SingleRunAccuracy());
        await Expect(cell.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", CompareLink());
        await Expect(instance.Locator("td[data-method='early dropout'][data-model='vit-nano']")).ToHaveTextAsync("");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Run the missing cells of {EarlyBasicTitle}" })).ToBeEnabledAsync();
        Assert.True(problems.All.Count == 0, $"{string.Join('\n', problems.All)}\nServer log:\n{fixture.App.Log}");
    }

    private async Task<string> WaitUntilFinishedAsync(HttpClient http, long runId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var status = (await http.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}")).GetProperty("status").GetString()!;
            if (status is not ("queued" or "running")) return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Run {runId} is still {status}.\nServer log:\n{fixture.App.Log}");
            await Task.Delay(250);
        }
    }

    [GeneratedRegex(@"\d+\.\d ± —")]
    private static partial Regex SingleRunAccuracy();

    [GeneratedRegex(@"^/compare\?runs=\d+$")]
    private static partial Regex CompareLink();
}
