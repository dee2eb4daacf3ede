using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Runs;

/// <summary>/runs against runs the app's own worker trained: the filter language, its errors, saved views and Compare.</summary>
[Collection(AppInChromium.Collection)]
public sealed partial class RunsPageTests(AppInChromium fixture)
{
    [Fact]
    public async Task FilterQuery_ShowsOnlyTheMatchingRuns_AndABadQueryExplainsItsMistake()
    {
        var tag = $"e2e-{Guid.NewGuid():N}"[..16];
        var plain = await SubmitAsync($"{tag}-plain", tag, dropout: 0);
        var early = await SubmitAsync($"{tag}-early", tag, dropout: 0.1);
        await WaitUntilFinishedAsync(plain, early);
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        await OpenRunsAsync(page, "/runs");

        await FilterAsync(page, $"tag = {tag} AND method = \"early dropout\" AND epochs = 1");

        await Expect(RunLink(page, $"{tag}-early")).ToBeVisibleAsync();
        await Expect(RunLink(page, $"{tag}-plain")).ToHaveCountAsync(0);
        await Expect(page).ToHaveURLAsync(new Regex(@"/runs\?q=tag%20%3D%20"));
        await Expect(page.GetByTestId("runs-total")).ToHaveTextAsync("1 run");

        await FilterAsync(page, $"tag = {tag} AND (dropout.rate = 0 OR NOT val/acc >= 0)");

        await Expect(RunLink(page, $"{tag}-plain")).ToBeVisibleAsync();
        await Expect(RunLink(page, $"{tag}-early")).ToHaveCountAsync(0);

        await FilterAsync(page, $"tag = {tag} AND colour = red");

        var alert = page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync($"Unknown field 'colour' at column {tag.Length + 12}");
        await Expect(page.GetByLabel("Filter query")).ToHaveValueAsync($"tag = {tag} AND colour = red");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = $"{tag}-plain" })).ToHaveCountAsync(0);

        await FilterAsync(page, $"tag = {tag} AND (model = mlp");

        await Expect(alert).ToContainTextAsync($"Expected ')' to close the '(' of column {tag.Length + 12} at column {tag.Length + 24}");
        Assert.True(problems.All.Count == 0, $"{string.Join('\n', problems.All)}\nServer log:\n{fixture.App.Log}");
    }

    [Fact]
    public async Task ALinkReproducesTheView_SavedViewsOpenAndDelete_AndCompareOpensTheSelectedRuns()
    {
        var tag = $"e2e-{Guid.NewGuid():N}"[..16];
        var first = await SubmitAsync($"{tag}-a", tag, dropout: 0);
        var second = await SubmitAsync($"{tag}-b", tag, dropout: 0.2);
        await WaitUntilFinishedAsync(first, second);
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();

        await OpenRunsAsync(page, $"/runs?q={Uri.EscapeDataString($"tag = {tag}")}&sort=name&desc=true");

        await Expect(page.GetByLabel("Filter query")).ToHaveValueAsync($"tag = {tag}");
        await Expect(RunLinks(page)).ToHaveTextAsync([$"{tag}-b", $"{tag}-a"]);
        var progress = page.Locator($"[data-run-progress='{first}']");
        await Expect(progress).ToContainTextAsync("1/1 epochs");

        var viewName = $"view {tag}";
        await page.GetByLabel("View name").FillAsync(viewName);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save view" }).ClickAsync();
        var saved = page.GetByRole(AriaRole.Link, new() { Name = viewName });
        await Expect(saved).ToHaveAttributeAsync("href", $"/runs?q={Uri.EscapeDataString($"tag = {tag}")}&sort=name&desc=true");

        await OpenRunsAsync(page, "/runs");
        await page.GetByRole(AriaRole.Link, new() { Name = viewName }).ClickAsync();
        await Expect(page.GetByLabel("Filter query")).ToHaveValueAsync($"tag = {tag}");
        await Expect(RunLinks(page)).ToHaveTextAsync([$"{tag}-b", $"{tag}-a"]);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete view {viewName}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = viewName })).ToHaveCountAsync(0);

        var compare = page.GetByRole(AriaRole.Button, new() { Name = "Compare selected runs" });
        await Expect(compare).ToBeDisabledAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = $"Select {tag}-a" }).ClickAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = $"Select {tag}-b" }).ClickAsync();
        await Expect(compare).ToContainTextAsync("Compare (2)");
        await compare.ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($@"/compare\?runs={Math.Min(first, second)},{Math.Max(first, second)}$"));
    }

    [Fact]
    public async Task RowsOfQueuedAndRunningRuns_FollowTheirRuns_WithoutAReload()
    {
        var tag = $"e2e-{Guid.NewGuid():N}"[..16];
        // The one worker trains the long run first, so the watched run is still queued when the page opens.
        var blocker = await SubmitAsync($"{tag}-long", tag, dropout: 0, epochs: 500);
        try
        {
            await WaitUntilAsync(blocker, "running");
            var watched = await SubmitAsync($"{tag}-watched", tag, dropout: 0, epochs: 3);
            await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
            var page = await context.NewPageAsync();
            await OpenRunsAsync(page, $"/runs?q={Uri.EscapeDataString($"tag = {tag}")}");
            var watchedRow = page.GetByRole(AriaRole.Row).Filter(new() { Has = RunLink(page, $"{tag}-watched") });
            var blockerRow = page.GetByRole(AriaRole.Row).Filter(new() { Has = RunLink(page, $"{tag}-long") });
            await Expect(watchedRow).ToContainTextAsync("queued");
            await Expect(watchedRow).ToContainTextAsync("0/3 epochs");
            await Expect(blockerRow).ToContainTextAsync("running");

            using (var client = fixture.App.CreateClient())
                (await client.PostAsync($"/api/runs/{blocker}/cancel", null)).EnsureSuccessStatusCode();

            await Expect(blockerRow).ToContainTextAsync("cancelled");
            await Expect(watchedRow).ToContainTextAsync("succeeded", new() { Timeout = 60_000 });
            await Expect(watchedRow).ToContainTextAsync("3/3 epochs");
            await Expect(watchedRow.GetByRole(AriaRole.Progressbar)).ToHaveAttributeAsync("aria-valuenow", "100");
        }
        finally
        {
            // Cancelled above when all goes well; after a failure the 500-epoch run must not hold the worker.
            using var client = fixture.App.CreateClient();
            await client.PostAsync($"/api/runs/{blocker}/cancel", null);
        }
    }

    private static ILocator RunLink(IPage page, string name) => page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    private static ILocator RunLinks(IPage page) => page.Locator("table a[href^='/runs/']");

    /// <summary>Opens a /runs URL and waits until the circuit renders it (the toggle is enabled only then).</summary>
    private Task OpenRunsAsync(IPage page, string path) => Pages.OpenAsync(page, fixture.App.Address, path);

    private static async Task FilterAsync(IPage page, string query)
    {
        var box = page.GetByLabel("Filter query");
        await box.FillAsync(query);
        await box.PressAsync("Enter");
    }

    private async Task<long> SubmitAsync(string name, string tag, double dropout, int epochs = 1)
    {
        using var client = fixture.App.CreateClient();
        var config = new JsonObject
        {
            ["name"] = name, ["project"] = "e2e-runs", ["tags"] = new JsonArray(tag), ["model"] = "mlp", ["dataset"] = "synthetic",
            ["device"] = "cpu", ["epochs"] = epochs,
            ["dropout"] = new JsonObject { ["rate"] = dropout, ["mode"] = dropout > 0 ? "early" : "standard", ["cutoffEpoch"] = dropout > 0 ? 1 : null },
        };
        using var response = await client.PostAsJsonAsync("/api/runs", config);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();
    }

    private async Task WaitUntilAsync(long runId, string wanted)
    {
        using var client = fixture.App.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while ((await client.GetFromJsonAsync<JsonNode>($"/api/runs/{runId}"))!["status"]!.GetValue<string>() != wanted)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Run {runId} never became {wanted}:\n{fixture.App.Log}");
            await Task.Delay(100);
        }
    }

    private async Task WaitUntilFinishedAsync(params long[] runIds)
    {
        using var client = fixture.App.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        foreach (var id in runIds)
        {
            while (true)
            {
                var status = (await client.GetFromJsonAsync<JsonNode>($"/api/runs/{id}"))!["status"]!.GetValue<string>();
                if (status == "succeeded") break;
                Assert.True(status is "queued" or "running", $"Run {id} ended {status}:\n{fixture.App.Log}");
                Assert.True(DateTime.UtcNow < deadline, $"Run {id} is still {status}:\n{fixture.App.Log}");
                await Task.Delay(250);
            }
        }
    }
}
