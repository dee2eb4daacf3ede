using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Compare;

/// <summary>Zooming a step chart of /compare fetches that step window; "Whole range" goes back.</summary>
[Collection(AppInChromium.Collection)]
public sealed partial class CompareZoomTests(AppInChromium fixture)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task WheelZoomOnAStepChart_ShowsAStepWindow_AndWholeRangeGoesBack()
    {
        using var http = fixture.App.CreateClient();
        var config = """{"name":"e2e-zoom","project":"e2e-compare","model":"mlp","dataset":"synthetic","device":"cpu","epochs":2,"seed":3}""";
        using var submitted = await http.PostAsync("/api/runs", new StringContent(config, Encoding.UTF8, "application/json"));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        var id = (await submitted.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();
        var deadline = DateTime.UtcNow + RunTimeout;
        while ((await http.GetFromJsonAsync<JsonNode>($"/api/runs/{id}"))!["status"]!.GetValue<string>() is "queued" or "running")
        {
            Assert.True(DateTime.UtcNow < deadline, $"Run {id} still unfinished after {RunTimeout}.\nServer log:\n{fixture.App.Log}");
            await Task.Delay(250);
        }

        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        await Pages.SignInAsync(page, fixture.App.Address);
        await page.GotoAsync(new Uri(fixture.App.Address, $"/compare?runs={id}&metrics=train/loss&x=step").ToString());
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Share" })).ToBeEnabledAsync(); // the circuit is up
        var chart = page.Locator(".compare-chart[data-metric='train/loss']");
        var line = chart.Locator("g.scatterlayer g.trace path.js-line").First;
        await Expect(line).ToBeAttachedAsync();

        var box = (await chart.Locator(".js-plotly-plot .nsewdrag").First.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        for (var tick = 0; tick < 4; tick++) await page.Mouse.WheelAsync(0, -200);

        var zoom = page.GetByTestId("compare-zoom");
        await Expect(zoom).ToContainTextAsync(StepWindow());
        await zoom.GetByRole(AriaRole.Button, new() { Name = "Whole range" }).ClickAsync();
        await Expect(zoom).ToHaveCountAsync(0);
        await Expect(line).ToBeAttachedAsync();
        Assert.True(problems.All.Count == 0, $"{string.Join('\n', problems.All)}\nServer log:\n{fixture.App.Log}");
    }

    [GeneratedRegex(@"Steps \d+–\d+ at full detail")]
    private static partial Regex StepWindow();
}
