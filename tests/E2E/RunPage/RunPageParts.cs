using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
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
        await page.GotoAsync(new Uri(app, $"runs/{runId}").ToString());
        await Expect(Button(page, "Add tag")).ToBeEnabledAsync();
    }

    /// <summary>A tiny CPU run of the MLP on the synthetic data set, queued through POST /api/runs; returns its id.</summary>
    public static async Task<long> SubmitAsync(Uri app, string name, int epochs, int? maxStepsPerEpoch = null)
    {
        using var http = new HttpClient { BaseAddress = app };
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

    /// <summary>Cancels a run through the API so it stops holding the app's one worker; a finished run is left alone.</summary>
    public static async Task CancelAsync(Uri app, long runId)
    {
        using var http = new HttpClient { BaseAddress = app };
        using var response = await http.PostAsync($"api/runs/{runId}/cancel", null);
    }
}
