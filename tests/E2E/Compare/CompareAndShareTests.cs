using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Compare;

/// <summary>Two real runs compared in the browser, the view kept in the URL, and shared read-only with a fresh browser.</summary>
[Collection(AppInChromium.Collection)]
public sealed partial class CompareAndShareTests(AppInChromium fixture)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task TwoFinishedRuns_CompareInTheBrowser_AndAShareLinkShowsTheSameViewReadOnly()
    {
        using var http = fixture.App.CreateClient();
        var a = await SubmitAsync(http, "e2e-compare-a", seed: 1);
        var b = await SubmitAsync(http, "e2e-compare-b", seed: 2);
        await WaitUntilSucceededAsync(http, a);
        await WaitUntilSucceededAsync(http, b);

        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        await Pages.SignInAsync(page, fixture.App.Address);
        await page.GotoAsync(new Uri(fixture.App.Address, $"/compare?runs={a},{b}").ToString());
        var share = page.GetByRole(AriaRole.Button, new() { Name = "Share" });
        await Expect(share).ToBeEnabledAsync(); // the circuit is up

        var diff = page.GetByRole(AriaRole.Table, new() { Name = "Config diff" });
        await Expect(diff.GetByRole(AriaRole.Columnheader, new() { Name = $"#{a} e2e-compare-a" })).ToBeVisibleAsync();
        await Expect(diff.GetByRole(AriaRole.Columnheader, new() { Name = $"#{b} e2e-compare-b" })).ToBeVisibleAsync();
        var accuracyChart = page.Locator(".compare-chart[data-metric='val/acc']");
        // One drawn line per run (a flat line has no height, so it is counted rather than checked for visibility).
        await Expect(accuracyChart.Locator("svg g.scatterlayer g.trace path.js-line")).ToHaveCountAsync(2);
        await Expect(accuracyChart.GetByText($"#{a} e2e-compare-a")).ToBeVisibleAsync();

        await page.GetByTestId("group-by").GetByRole(AriaRole.Combobox, new() { Name = "Group by" }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "seed", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(GroupedBySeed());
        await Expect(accuracyChart.GetByText("seed=1", new() { Exact = true })).ToBeVisibleAsync();

        await page.GetByTestId("metric-choices").GetByText("val/loss", new() { Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(WithValLoss());
        await Expect(page.Locator(".compare-chart[data-metric='val/loss']")).ToBeVisibleAsync();
        var viewUrl = page.Url;

        await share.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();
        var linkBox = page.GetByLabel("Share link");
        await Expect(linkBox).ToHaveValueAsync(ShareUrl());
        var link = await linkBox.InputValueAsync();
        Assert.True(problems.All.Count == 0, $"{string.Join('\n', problems.All)}\nServer log:\n{fixture.App.Log}");

        // A browser with nothing in common with the first one: no cookies, no storage.
        await using var stranger = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var shared = await stranger.NewPageAsync();
        var sharedProblems = new PageProblems(shared);
        await shared.GotoAsync(link);

        await Expect(shared.GetByRole(AriaRole.Heading, new() { Name = "Shared comparison" })).ToBeVisibleAsync();
        var sharedDiff = shared.GetByRole(AriaRole.Table, new() { Name = "Config diff" });
        await Expect(sharedDiff.GetByRole(AriaRole.Columnheader, new() { Name = $"#{a} e2e-compare-a" })).ToBeVisibleAsync();
        await Expect(sharedDiff.GetByRole(AriaRole.Columnheader, new() { Name = $"#{b} e2e-compare-b" })).ToBeVisibleAsync();
        await Expect(shared.GetByTestId("compare-settings")).ToContainTextAsync("grouped by seed");
        await Expect(shared.Locator(".compare-chart[data-metric='val/loss'] svg g.scatterlayer g.trace path.js-line")).ToHaveCountAsync(2);
        await Expect(shared.Locator(".compare-chart[data-metric='val/acc']").GetByText("seed=1", new() { Exact = true })).ToBeVisibleAsync();
        // Read-only: no share, no controls, no navigation into the rest of the app.
        Assert.Equal(0, await shared.GetByRole(AriaRole.Button, new() { Name = "Share" }).CountAsync());
        // The only controls in the page (the reconnect dialog aside) are the charts' legend entries, which show or hide a line.
        Assert.Equal(0, await shared.Locator(".mud-layout").Locator("button, [role=button], input, select, textarea").CountAsync());
        Assert.True(await shared.Locator(".compare-chart g.legend g.traces").CountAsync() > 0);
        Assert.Equal(0, await shared.Locator("#tracker-sidebar").CountAsync());
        Assert.True(sharedProblems.All.Count == 0, $"{string.Join('\n', sharedProblems.All)}\nServer log:\n{fixture.App.Log}");

        // The first browser's view is untouched by sharing it.
        Assert.Equal(viewUrl, page.Url);
    }

    private static async Task<long> SubmitAsync(HttpClient http, string name, int seed)
    {
        var config = $$"""{"name":"{{name}}","project":"e2e-compare","model":"mlp","dataset":"synthetic","device":"cpu","epochs":2,"seed":{{seed}}}""";
        using var response = await http.PostAsync("/api/runs", new StringContent(config, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();
    }

    private async Task WaitUntilSucceededAsync(HttpClient http, long id)
    {
        var deadline = DateTime.UtcNow + RunTimeout;
        while (true)
        {
            var run = (await http.GetFromJsonAsync<JsonNode>($"/api/runs/{id}"))!;
            var status = run["status"]!.GetValue<string>();
            if (status == "succeeded") return;
            Assert.True(status is "queued" or "running", $"Run {id} ended {status}: {run["error"]}\nServer log:\n{fixture.App.Log}");
            Assert.True(DateTime.UtcNow < deadline, $"Run {id} still {status} after {RunTimeout}.");
            await Task.Delay(250);
        }
    }

    [GeneratedRegex(@"[?&]group=seed(&|$)")]
    private static partial Regex GroupedBySeed();

    [GeneratedRegex(@"[?&]metrics=val/acc,train/loss,val/loss(&|$)")]
    private static partial Regex WithValLoss();

    [GeneratedRegex(@"^http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]{22}$")]
    private static partial Regex ShareUrl();
}
