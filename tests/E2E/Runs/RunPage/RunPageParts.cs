using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using Tracker.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.RunPage;

/// <summary>The run page's parts the tests act on, and runs submitted through the API.</summary>
public static class RunPageParts
{
    public static ILocator Status(IPage page) => page.GetByTestId("run-status");

    public static ILocator EpochsCompleted(IPage page) => page.GetByTestId("epochs-completed");

    public static ILocator Chart(IPage page, string title) => page.GetByRole(AriaRole.Figure, new() { Name = title, Exact = true });

    public static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    public static ILocator TextBox(IPage page, string name) => page.GetByRole(AriaRole.Textbox, new() { Name = name, Exact = true });

    /// <summary>Opens /runs/{id} and waits until the circuit has rendered it: its buttons are disabled until then.</summary>
    public static async Task OpenAsync(IPage page, Uri app, long runId)
    {
        await Pages.SignInAsync(page, app);
        await page.GotoAsync(new Uri(app, $"runs/{runId}").ToString());
        await Expect(Button(page, "Add tag")).ToBeEnabledAsync();
    }

    // Records, in the page itself, every value the epoch count and the accuracy chart's marker count take, so no
    // step between two polls of the test is missed; a reload would wipe the log and the marker.
    private const string RecordChanges = """
        () => {
            window.__sameDocument = true;
            window.__epochs = [];
            window.__accuracyPoints = [];
            const last = (list) => list.length ? list[list.length - 1] : null;
            const record = () => {
                const epochs = document.querySelector('[data-testid="epochs-completed"]')?.textContent?.trim();
                if (epochs && epochs !== last(window.__epochs)) window.__epochs.push(epochs);
                const points = document.querySelectorAll('figure[aria-label="Accuracy"] g.points path.point').length;
                if (points !== last(window.__accuracyPoints)) window.__accuracyPoints.push(points);
            };
            record();
            new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        }
        """;

    /// <summary>
    /// Watches an open run page until the run succeeds and checks that its epoch count and accuracy chart grew one
    /// step after another in the same document: no reload, no navigation after the one that opened it.
    /// </summary>
    public static async Task ExpectToGrowLiveUntilSucceededAsync(IPage page, int epochs, Func<int> navigationsSinceOpened)
    {
        await page.EvaluateAsync(RecordChanges);
        await Expect(Status(page)).ToHaveTextAsync("succeeded", new() { Timeout = 120_000 });

        var shown = (await page.EvaluateAsync<string[]>("() => window.__epochs")).Select(int.Parse).ToList();
        var accuracyPoints = await page.EvaluateAsync<int[]>("() => window.__accuracyPoints");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "The page was reloaded.");
        Assert.Equal(0, navigationsSinceOpened());
        Assert.Equal(epochs, shown[^1]);
        Assert.True(shown.Zip(shown.Skip(1)).All(pair => pair.Second > pair.First), $"Epochs shown: {string.Join(", ", shown)}");
        Assert.True(shown.Count(epoch => epoch > 0) >= 3, $"The epoch count should be seen growing, one epoch after another; it went {string.Join(", ", shown)}");
        Assert.True(accuracyPoints.Zip(accuracyPoints.Skip(1)).All(pair => pair.Second > pair.First), $"Accuracy points: {string.Join(", ", accuracyPoints)}");
        Assert.True(accuracyPoints.Count(count => count > 0) >= 3, $"The accuracy chart should grow point by point; it went {string.Join(", ", accuracyPoints)}");
    }

    /// <summary>A tiny CPU run of the MLP on the synthetic data set, queued through POST /api/runs; returns its id.</summary>
    public static async Task<long> SubmitAsync(Uri app, string name, int epochs, int? maxStepsPerEpoch = null)
    {
        using var http = TestAuth.Authorize(new HttpClient { BaseAddress = app });
        var config = new Dictionary<string, object?>
        {
            ["name"] = name,
            ["project"] = "e2e",
            ["model"] = "mlp",
            ["dataset"] = "synthetic",
            ["device"] = "cpu",
            ["epochs"] = epochs,
            ["analysis"] = new Dictionary<string, object> { ["everySteps"] = 0 },
        };
        if (maxStepsPerEpoch is { } steps) config["maxStepsPerEpoch"] = steps;
        using var response = await http.PostAsJsonAsync("api/runs", config);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/runs answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>Cancels every run of that name through the API (a finished one is left alone).</summary>
    public static Task CancelAllNamedAsync(Uri app, string name) => CancelAllMatchingAsync(app, $"name = \"{name}\"");

    /// <summary>Cancels every run a filter-language query matches, so no test leaves runs holding the app's one worker.</summary>
    public static async Task CancelAllMatchingAsync(Uri app, string query)
    {
        using var http = TestAuth.Authorize(new HttpClient { BaseAddress = app });
        using var list = JsonDocument.Parse(await http.GetStringAsync($"api/runs?q={Uri.EscapeDataString(query)}&pageSize=200"));
        foreach (var run in list.RootElement.GetProperty("items").EnumerateArray())
            await CancelAsync(app, run.GetProperty("id").GetInt64());
    }

    /// <summary>Cancels a run through the API so it stops holding the app's one worker; a finished run is left alone.</summary>
    public static async Task CancelAsync(Uri app, long runId)
    {
        using var http = TestAuth.Authorize(new HttpClient { BaseAddress = app });
        using var response = await http.PostAsync($"api/runs/{runId}/cancel", null);
    }
}
