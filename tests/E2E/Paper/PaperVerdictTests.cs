using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Features.Paper;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Paper;

/// <summary>The paper page judges seeded cells against the paper, and a share link of the table says the same.</summary>
[Collection(AppInChromium.Collection)]
public sealed class PaperVerdictTests(AppInChromium fixture)
{
    private const string TableId = "early-improved";
    private const string Title = "Early dropout, improved recipe (600 epochs, mixup/cutmix 0.3)";

    [Fact]
    public async Task SeededCells_AreReproducedOrContradicted_WithASummaryLine_OnThePageAndItsShareLink()
    {
        var spec = PaperPresets.SpecFor(TableId)!;
        (RunConfig, double) Cell(string method, string model, int seed, double final) => (PaperPresets.ConfigFor(spec, method, model, seed), final);
        // ViT: early dropout above no dropout on every seed, as the paper's +0.4. ConvNeXt: early s.d. 2 points below, against its +0.2.
        await SeededRuns.AddAsync(fixture,
        [
            .. Enumerable.Range(0, 3).Select(seed => Cell(Methods.NoDropout, KnownModels.VitNano, seed, 80 + seed)),
            .. Enumerable.Range(0, 3).Select(seed => Cell(Methods.EarlyDropout, KnownModels.VitNano, seed, 81 + seed + 0.1 * seed)),
            .. Enumerable.Range(0, 3).Select(seed => Cell(Methods.NoDropout, KnownModels.ConvNext, seed, 70 + seed)),
            .. Enumerable.Range(0, 3).Select(seed => Cell(Methods.EarlyStochasticDepth, KnownModels.ConvNext, seed, 68 + seed - 0.1 * seed)),
        ]);

        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        await Pages.OpenAsync(page, fixture.App.Address, $"/paper?table={TableId}");
        await AssertVerdictsAsync(page);

        using var http = TestAuth.Authorize(new HttpClient { BaseAddress = fixture.App.Address });
        using var created = await http.PostAsJsonAsync("/api/share", new { kind = "paperTable", target = TableId });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var url = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;

        await using var stranger = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        var shared = await stranger.NewPageAsync();
        await shared.GotoAsync(url);
        await Expect(shared.GetByRole(AriaRole.Heading, new() { Name = "Shared paper table" })).ToBeVisibleAsync();
        await AssertVerdictsAsync(shared);
        Assert.True(problems.All.Count == 0, $"{string.Join('\n', problems.All)}\nServer log:\n{fixture.App.Log}");
    }

    private static async Task AssertVerdictsAsync(IPage page)
    {
        var instance = page.GetByRole(AriaRole.Table, new() { Name = $"This instance: {Title}" });
        var early = instance.Locator($"td[data-method='{Methods.EarlyDropout}'][data-model='{KnownModels.VitNano}']");
        await Expect(early.Locator("[data-field='verdict']")).ToHaveTextAsync("reproduced");
        await Expect(early.Locator("[data-field='delta']")).ToContainTextAsync("Δ +1.1 [");
        var stochasticDepth = instance.Locator($"td[data-method='{Methods.EarlyStochasticDepth}'][data-model='{KnownModels.ConvNext}']");
        await Expect(stochasticDepth.Locator("[data-field='verdict']")).ToHaveTextAsync("contradicted");
        var lines = page.GetByRole(AriaRole.List, new() { Name = $"Reproduction of {Title}" });
        await Expect(lines.GetByRole(AriaRole.Listitem)).ToHaveTextAsync(
            ["early dropout: 1 of 1 column reproduced", "early s.d.: 0 of 1 column reproduced, 1 contradicted"]);
    }
}
