using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Journey;

/// <summary>
/// Issue 5's whole path in one browser: queue the early-dropout table's missing runs from /paper as one sweep, follow
/// the sweep, and share the table read-only with someone who has nothing but the link. The runs are cancelled at
/// once: training ViT-nano on Fashion-MNIST 39 times is the product's job, not a test's.
/// </summary>
[Collection(AppInChromium.Collection)]
public sealed partial class PaperSweepAndShareTests(AppInChromium fixture)
{
    private const string EarlyBasicTitle = "Early dropout, basic recipe (ImageNet-1K, 300 epochs)";

    [Fact]
    public async Task TheMissingCellsOfATable_QueueAsOneSweep_AndTheTableSharesReadOnly()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        await Pages.OpenAsync(page, fixture.App.Address, "/paper?table=early-basic");
        var runMissing = page.GetByRole(AriaRole.Button, new() { Name = $"Run the missing cells of {EarlyBasicTitle}" });
        await Expect(runMissing).ToHaveTextAsync(MissingRuns());
        var missing = int.Parse(MissingRuns().Match(await runMissing.TextContentAsync() ?? "").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        try
        {
            await runMissing.ClickAsync();

            await Expect(page).ToHaveURLAsync(SweepUrl());
            var finished = page.GetByTestId("sweep-finished");
            await Expect(finished).ToContainTextAsync($"of {missing} runs finished");
            await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "early dropout" })).Not.ToHaveCountAsync(0);
            await page.GetByRole(AriaRole.Button, new() { Name = "Cancel unfinished runs" }).ClickAsync();
            await Expect(finished).ToContainTextAsync($"{missing} of {missing} runs finished", new() { Timeout = 60_000 });
        }
        finally
        {
            // After a failure above, the table's ViT-nano runs must not keep the app's one worker for the next tests.
            await RunPage.RunPageParts.CancelAllMatchingAsync(fixture.App.Address, "tag = \"paper:early-basic\" AND (status = queued OR status = running)");
        }

        await Pages.OpenAsync(page, fixture.App.Address, "/paper?table=early-basic");
        await page.Locator("section#early-basic").GetByRole(AriaRole.Button, new() { Name = "Share" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();
        var linkBox = page.GetByLabel("Share link");
        await Expect(linkBox).ToHaveValueAsync(ShareUrl());
        var link = await linkBox.InputValueAsync();
        Assert.True(problems.All.Count == 0, $"{string.Join('\n', problems.All)}\nServer log:\n{fixture.App.Log}");

        await using var stranger = await fixture.Browser.NewContextAsync();
        var shared = await stranger.NewPageAsync();
        await shared.GotoAsync(link);
        await Expect(shared.GetByRole(AriaRole.Heading, new() { Name = "Shared paper table" })).ToBeVisibleAsync();
        var published = shared.GetByRole(AriaRole.Table, new() { Name = $"Published: {EarlyBasicTitle}" });
        await Expect(published.GetByRole(AriaRole.Cell, new() { Name = "74.4", Exact = true })).ToBeVisibleAsync(); // early s.d. on ViT-T
        Assert.Equal(0, await shared.GetByRole(AriaRole.Button).CountAsync());
        Assert.Equal(0, await shared.Locator("a[href^='/paper'], a[href^='/compare'], a[href^='/runs']").CountAsync());
        Assert.Equal(0, await shared.Locator("#tracker-sidebar").CountAsync());
    }

    [GeneratedRegex(@"Run the (\d+) missing runs")]
    private static partial Regex MissingRuns();

    [GeneratedRegex(@"/sweeps/[0-9a-f]+$")]
    private static partial Regex SweepUrl();

    [GeneratedRegex(@"/s/[A-Za-z0-9_-]{22}$")]
    private static partial Regex ShareUrl();
}
