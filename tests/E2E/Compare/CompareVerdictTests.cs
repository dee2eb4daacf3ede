using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using Tracker.Shared;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Compare;

/// <summary>Runs found by searching, grouped, and each group judged against a baseline chosen in the page and kept in the URL.</summary>
[Collection(AppInChromium.Collection)]
public sealed partial class CompareVerdictTests(AppInChromium fixture)
{
    [Fact]
    public async Task RunsFoundBySearch_GroupedByRate_AreJudgedAgainstTheChosenBaseline()
    {
        const string tag = "e2e-verdicts";
        // Rate 0.1 ends five points above rate 0 on every seed: better, paired by seed.
        var ids = await SeededRuns.AddAsync(fixture, [.. new[] { 0.0, 0.1 }.SelectMany(rate => Enumerable.Range(1, 3).Select(seed => (
            new RunConfig { Name = $"verdict-{rate}-{seed}", Seed = seed, Tags = [tag], Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic,
                Epochs = 2, Dropout = new DropSettings { Rate = rate } },
            80.0 + seed + (rate > 0 ? 5 + 0.1 * seed : 0))))]);

        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        await Pages.OpenAsync(page, fixture.App.Address, "/compare?metrics=val/acc&group=dropout.rate&baseline=0");

        var search = page.GetByLabel("Find runs");
        await search.FillAsync(tag);
        await search.PressAsync("Enter");
        await Expect(page.GetByTestId("run-search")).ToContainTextAsync("6 runs match.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add all 6" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"runs=(\d+,){5}\d+"));
        Assert.All(ids, id => Assert.Contains(id.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Url, StringComparison.Ordinal));

        var summary = page.GetByRole(AriaRole.Table, new() { Name = "Summary" });
        var baseline = summary.Locator("tr[data-row='0']");
        var higher = summary.Locator("tr[data-row='0.1']");
        await Expect(baseline).ToContainTextAsync("(baseline)");
        await Expect(baseline).ToContainTextAsync("82.0 ± 1.0 %");
        await Expect(higher.Locator("[data-field='verdict']")).ToHaveTextAsync("better");
        await Expect(higher.Locator("[data-field='difference']")).ToContainTextAsync("+5.2");
        await Expect(higher.Locator("[data-field='p']")).ToContainTextAsync("p");

        await page.GetByTestId("baseline").GetByRole(AriaRole.Combobox, new() { Name = "Baseline" }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "dropout.rate=0.1", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("baseline=0.1"));
        await Expect(higher).ToContainTextAsync("(baseline)");
        await Expect(baseline.Locator("[data-field='verdict']")).ToHaveTextAsync("worse");
        await Expect(baseline.Locator("[data-field='difference']")).ToContainTextAsync("−5.2");

        // The URL alone reproduces the view.
        var fresh = await context.NewPageAsync();
        await Pages.OpenAsync(fresh, fixture.App.Address, new Uri(page.Url).PathAndQuery);
        await Expect(fresh.GetByRole(AriaRole.Table, new() { Name = "Summary" }).Locator("tr[data-row='0'] [data-field='verdict']")).ToHaveTextAsync("worse");
        Assert.True(problems.All.Count == 0, $"{string.Join('\n', problems.All)}\nServer log:\n{fixture.App.Log}");
    }
}
