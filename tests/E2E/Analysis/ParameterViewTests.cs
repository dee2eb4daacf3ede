using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using Tracker.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Analysis;

/// <summary>/analysis over a real sweep: the parallel coordinates draw, and brushing an axis filters the runs table.</summary>
[Collection(AppInChromium.Collection)]
public sealed class ParameterViewTests(AppInChromium fixture)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ParallelCoordinates_OfASweep_Render_AndBrushingARangeFiltersTheRunsTable()
    {
        using var http = TestAuth.Authorize(new HttpClient { BaseAddress = fixture.App.Address });
        var body = """
            {"base": {"name": "e2e-par", "project": "e2e-analysis", "model": "mlp", "dataset": "synthetic", "device": "cpu", "epochs": 1,
                      "trainSubset": 64, "batchSize": 32, "maxStepsPerEpoch": 2},
             "grid": {"methods": ["no dropout"], "models": ["mlp"], "seeds": [0, 1, 2, 3]}}
            """;
        using var response = await http.PostAsync("/api/sweeps", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var sweep = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        var sweepId = sweep["id"]!.GetValue<string>();
        foreach (var id in sweep["runIds"]!.AsArray().Select(n => n!.GetValue<long>())) await WaitUntilSucceededAsync(http, id);

        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        await BrowserSession.SignInAsync(page, fixture.App.Address);
        await page.GotoAsync(new Uri(fixture.App.Address, $"/analysis?sweep={sweepId}&fields=seed&metric=val/acc").ToString());

        var table = page.GetByTestId("analysis-runs");
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(4);
        await Expect(page.GetByTestId("analysis-count")).ToHaveTextAsync("4 of 4 runs");
        // One brushable axis per field plus the metric, drawn by plotly.js.
        var brushes = page.Locator("[data-testid=parcoords] g.axis-brush rect.background");
        // plotly.js is a 3.7 MB script loaded on first use; a loaded machine takes a while.
        await Expect(brushes).ToHaveCountAsync(2, new() { Timeout = 90_000 });

        // The seed axis runs from 0 (bottom) to 3 (top); drag over the stretch around seed 2 only.
        var axis = (await brushes.First.BoundingBoxAsync())!;
        var x = axis.X + axis.Width / 2;
        await page.Mouse.MoveAsync((float)x, (float)(axis.Y + axis.Height * 0.2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((float)x, (float)(axis.Y + axis.Height * 0.3), new() { Steps = 5 });
        await page.Mouse.MoveAsync((float)x, (float)(axis.Y + axis.Height * 0.45), new() { Steps = 5 });
        await page.Mouse.UpAsync();

        await Expect(page.GetByTestId("analysis-count")).ToHaveTextAsync("1 of 4 runs");
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(table.Locator("tbody tr").First).ToContainTextAsync("e2e-par-no-dropout-mlp-s2");

        await page.GetByRole(AriaRole.Button, new() { Name = "Clear brushes" }).ClickAsync();
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(4);
        Assert.True(problems.All.Count == 0, $"{string.Join('\n', problems.All)}\nServer log:\n{fixture.App.Log}");
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
}
