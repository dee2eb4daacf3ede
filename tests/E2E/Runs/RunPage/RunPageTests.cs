using Microsoft.Playwright;
using Tracker.E2E.Support;
using static Microsoft.Playwright.Assertions;
using static Tracker.E2E.RunPage.RunPageParts;

namespace Tracker.E2E.RunPage;

/// <summary>/runs/{id}: a training run seen live, and the actions on it.</summary>
[Collection(AppInChromium.Collection)]
public sealed class RunPageTests(AppInChromium fixture)
{
    private const int LiveEpochs = 12;

    [Fact]
    public async Task ATrainingRun_GrowsItsEpochCountAndCharts_WithoutAReload()
    {
        var runId = await SubmitAsync(fixture.App.Address, "e2e live", LiveEpochs);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        var navigations = 0;
        page.FrameNavigated += (_, frame) => { if (frame == page.MainFrame) navigations++; };

        await OpenAsync(page, fixture.App.Address, runId);
        await ExpectToGrowLiveUntilSucceededAsync(page, LiveEpochs, navigationsSinceOpened: () => navigations - 1);
        Assert.True(problems.All.Count == 0, $"{string.Join('\n', problems.All)}\nServer log:\n{fixture.App.Log}");
    }

    /// <summary>Issue 13, problem 3: after a few epochs the epoch axis read "0 0 0 1 1 1 1" (half-epoch ticks rounded).</summary>
    [Fact]
    public async Task AFewEpochs_AreTickedOncePerWholeEpoch()
    {
        var runId = await SubmitAsync(fixture.App.Address, "e2e ticks", 3);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await OpenAsync(page, fixture.App.Address, runId);
        await Expect(Status(page)).ToHaveTextAsync("succeeded", new() { Timeout = 120_000 });
        await Expect(page.Locator("figure[aria-label=\"Loss\"]")).ToHaveAttributeAsync("data-points", "6", new() { Timeout = 30_000 });
        await Expect(page.Locator("figure[aria-label=\"Loss\"] g.xtick text").First).ToBeVisibleAsync();

        var ticks = await page.Locator("figure[aria-label=\"Loss\"] g.xtick text").AllTextContentsAsync();
        Assert.True(ticks.Count >= 3, $"ticks: {string.Join(" ", ticks)}");
        Assert.Equal(ticks.Count, ticks.Distinct().Count());
        Assert.All(ticks, tick => Assert.Matches("^[0-9]+$", tick));
        Assert.Contains("1", ticks);
        Assert.Contains("3", ticks);
    }

    [Fact]
    public async Task CancelButton_StopsARunningRun_AndRetry_QueuesItAgain()
    {
        var runId = await SubmitAsync(fixture.App.Address, "e2e cancel", epochs: 500);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        try
        {
            await OpenAsync(page, fixture.App.Address, runId);
            await Expect(Status(page)).ToHaveTextAsync("running", new() { Timeout = 60_000 });

            await Button(page, "Cancel run").ClickAsync();
            await Button(page, "Stop the run").ClickAsync();

            await Expect(Status(page)).ToHaveTextAsync("cancelled");
            await Expect(Button(page, "Cancel run")).ToHaveCountAsync(0);
            await Expect(page.GetByText("Cancel requested")).ToBeVisibleAsync();
            await page.ReloadAsync();
            await Expect(Status(page)).ToHaveTextAsync("cancelled");

            await Expect(Button(page, "Retry")).ToBeEnabledAsync();
            await Button(page, "Retry").ClickAsync();
            // The retry lands on the new run's page by a client-side navigation: poll the URL rather than wait for a load.
            await Expect(page).Not.ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/runs/{runId}$"), new() { Timeout = 60_000 });
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/runs/\d+$"));
            Assert.NotEqual(runId, long.Parse(page.Url.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "e2e cancel" })).ToBeVisibleAsync();
            await Expect(Status(page)).Not.ToHaveTextAsync("cancelled");
        }
        finally
        {
            // Whatever happened above, no run of this test may go on holding the app's one worker.
            await RunPageParts.CancelAllNamedAsync(fixture.App.Address, "e2e cancel");
        }
    }

    [Fact]
    public async Task NotesAndTags_PersistAcrossAReload()
    {
        var runId = await SubmitAsync(fixture.App.Address, "e2e notes", epochs: 1, maxStepsPerEpoch: 1);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await OpenAsync(page, fixture.App.Address, runId);
        var tags = page.GetByRole(AriaRole.List, new() { Name = "Tags" });

        await TextBox(page, "Notes").FillAsync("Worse than baseline: try early dropout.");
        await Button(page, "Save notes").ClickAsync();
        await Expect(page.GetByText("Notes saved.")).ToBeVisibleAsync();
        foreach (var tag in new[] { "figure-1", "temporary" })
        {
            await TextBox(page, "New tag").FillAsync(tag);
            await Button(page, "Add tag").ClickAsync();
            await Expect(tags.GetByRole(AriaRole.Listitem).Filter(new() { HasText = tag })).ToHaveCountAsync(1);
        }
        await Button(page, "Remove tag temporary").ClickAsync();
        await Expect(tags.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "temporary" })).ToHaveCountAsync(0);

        await TextBox(page, "New tag").FillAsync("figure-1");
        await Button(page, "Add tag").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "already has the tag" })).ToBeVisibleAsync();
        await Expect(TextBox(page, "New tag")).ToHaveValueAsync("figure-1");

        await page.ReloadAsync();
        await Expect(Button(page, "Add tag")).ToBeEnabledAsync();
        await Expect(TextBox(page, "Notes")).ToHaveValueAsync("Worse than baseline: try early dropout.");
        await Expect(tags.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(1);
        await Expect(tags.GetByRole(AriaRole.Listitem)).ToContainTextAsync("figure-1");
    }

    [Fact]
    public async Task AnUnknownRun_SaysSo()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await Pages.SignInAsync(page, fixture.App.Address);
        await page.GotoAsync(new Uri(fixture.App.Address, "runs/987654").ToString());

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No run 987654" })).ToBeVisibleAsync();
    }
}
