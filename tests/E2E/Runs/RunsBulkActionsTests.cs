using Microsoft.Playwright;
using Tracker.E2E.Support;
using Tracker.Shared;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Runs;

/// <summary>/runs: a bulk action on the ticked runs, then one on every run of the filter, and a chosen column.</summary>
[Collection(AppInChromium.Collection)]
public sealed class RunsBulkActionsTests(AppInChromium fixture)
{
    [Fact]
    public async Task TickedRunsAreTagged_ThenEveryMatchingRunIsArchived()
    {
        var token = $"bulk{Guid.NewGuid():N}"[..12];
        RunConfig Config(string name, int seed) => new()
        {
            Name = name, Project = "e2e-seeded", Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic, Device = DeviceKind.Cpu, Seed = seed, Lr = 0.002,
        };
        var ids = await SeededRuns.AddAsync(fixture, [(Config($"{token} a", 1), 70), (Config($"{token} b", 2), 75)]);
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        // SeededRuns files every run under one project; the filter finds these two by their names.
        await Pages.OpenAsync(page, fixture.App.Address, $"/runs?q={Uri.EscapeDataString($"name ~ {token}")}&sort=name&cols=config%3Alr");
        var rows = page.Locator("table a[href^='/runs/']");
        await Expect(rows).ToHaveTextAsync([$"{token} a", $"{token} b"]);
        await Expect(page.GetByTestId("seed")).ToHaveTextAsync(["1", "2"]);
        await Expect(page.Locator("td.chosen-column")).ToHaveTextAsync(["0.002", "0.002"]);

        await page.GetByRole(AriaRole.Checkbox, new() { Name = $"Select {token} b" }).CheckAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Bulk tag" }).FillAsync("e2e-bulk");
        await page.GetByRole(AriaRole.Button, new() { Name = "Tag", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("bulk-result")).ToContainTextAsync("Tagged 1 run");

        await page.GetByRole(AriaRole.Combobox, new() { Name = "Apply to", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "All 2 matching runs", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Archive", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("bulk-result")).ToContainTextAsync("Archived 2 runs");
        await Expect(rows).ToHaveCountAsync(0);

        await using var db = fixture.CreateDbContext();
        var runs = db.Runs.Where(r => ids.Contains(r.Id)).OrderBy(r => r.Id).ToList();
        Assert.All(runs, r => Assert.NotNull(r.ArchivedAt));
        Assert.Equal([[], ["e2e-bulk"]], runs.Select(r => r.Tags));
    }
}
