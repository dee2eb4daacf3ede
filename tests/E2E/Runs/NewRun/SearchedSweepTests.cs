using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using Tracker.Tests.Support;
using Tracker.Web.Features.Runs.Forms;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.NewRun;

/// <summary>/runs/new's searched sweeps in a browser: a random search queued from its form, a grid with the median stopping rule.</summary>
[Collection(AppInChromium.Collection)]
public sealed partial class SearchedSweepTests(AppInChromium fixture) : IAsyncLifetime
{
    private IBrowserContext? _context;
    private IPage _page = default!;
    private PageProblems _problems = default!;
    private readonly HttpClient _api = TestAuth.Authorize(new HttpClient { BaseAddress = fixture.App.Address });

    public async Task InitializeAsync()
    {
        _context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        _page = await _context.NewPageAsync();
        _problems = new PageProblems(_page);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        if (_context is not null) await _context.DisposeAsync();
    }

    /// <summary>A tiny CPU config in the form, so the queued runs train in seconds.</summary>
    private async Task FillTinyConfigAsync(string name)
    {
        await NewRunPage.OpenAsync(_page, fixture.App.Address);
        await NewRunPage.Input(_page, "Name").FillAsync(name);
        await NewRunPage.ChooseAsync(_page, "Dataset", "synthetic");
        await NewRunPage.ChooseAsync(_page, "Device", "cpu");
        await NewRunPage.Input(_page, "Epochs").FillAsync("1");
        await NewRunPage.Input(_page, "Max steps per epoch").FillAsync("2");
        await NewRunPage.Input(_page, "Max steps per epoch").PressAsync("Tab");
    }

    [Fact]
    public async Task ARandomSearch_QueuedFromItsForm_LandsOnTheSweepPage_WithItsDrawnRuns()
    {
        await FillTinyConfigAsync("e2e-random");
        var search = _page.GetByTestId("random-search");
        await search.Locator("summary").ClickAsync();
        var runs = _page.GetByLabel("Runs to draw");
        await runs.FillAsync("3");
        await runs.PressAsync("Tab");
        var seed = _page.GetByLabel("Search seed");
        await seed.FillAsync("7");
        await seed.PressAsync("Tab");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Queue random search (3 runs)" }).ClickAsync();

        await Expect(_page).ToHaveURLAsync(SweepUrl());
        var sweepId = SweepUrl().Match(_page.Url).Groups[1].Value;
        var sweep = (await _api.GetFromJsonAsync<JsonNode>($"/api/sweeps/{sweepId}"))!;
        var names = sweep["runs"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(3, names.Count);
        Assert.All(names, name => Assert.StartsWith("e2e-random", name, StringComparison.Ordinal));
        var grid = _page.GetByRole(AriaRole.Table);
        foreach (var name in names) await Expect(grid.GetByRole(AriaRole.Link, new() { Name = name, Exact = true })).ToBeVisibleAsync();
        Assert.True(_problems.All.Count == 0, string.Join('\n', _problems.All));
    }

    [Fact]
    public async Task AGridSweep_WithTheMedianStoppingRule_StoresTheRuleOnItsSweep()
    {
        await FillTinyConfigAsync("e2e-grid-stop");
        await _page.GetByRole(AriaRole.Radio, new() { Name = "Sweep" }).ClickAsync();
        await _page.Locator($"[data-field='{SweepForm.MethodsPath}']").GetByRole(AriaRole.Checkbox, new() { Name = "no dropout", Exact = true }).ClickAsync();
        await NewRunPage.Input(_page, "Seeds").FillAsync("1, 2, 3");
        await NewRunPage.Input(_page, "Seeds").PressAsync("Tab");
        await Expect(_page.GetByTestId("sweep-count")).ToContainTextAsync("= 3 runs");
        await _page.GetByText("Stop runs worse than the median of completed runs").ClickAsync();
        var minRuns = _page.GetByLabel("Completed runs needed");
        await minRuns.FillAsync("2");
        await minRuns.PressAsync("Tab");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Queue sweep (3 runs)" }).ClickAsync();

        await Expect(_page).ToHaveURLAsync(SweepUrl());
        var sweepId = SweepUrl().Match(_page.Url).Groups[1].Value;
        var sweep = (await _api.GetFromJsonAsync<JsonNode>($"/api/sweeps/{sweepId}"))!;
        Assert.Equal(3, sweep["runs"]!.AsArray().Count);
        // The rule lives on the sweep's row, where SweepEarlyStopping reads it after each epoch of each run.
        await using var context = fixture.CreateDbContext();
        var stored = context.Sweeps.Single(s => s.Id == sweepId);
        Assert.Equal(("grid", "val/acc", 2, 2), (stored.Kind, stored.EarlyStopMetric, stored.EarlyStopMinRuns, stored.EarlyStopMinEpoch));
        Assert.True(_problems.All.Count == 0, string.Join('\n', _problems.All));
    }

    [GeneratedRegex(@"/sweeps/([0-9a-f]+)$")]
    private static partial Regex SweepUrl();
}
