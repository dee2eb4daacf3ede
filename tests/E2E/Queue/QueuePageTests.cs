using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Queue;

/// <summary>The queue page lists what the worker will run, in order, and its buttons change that order.</summary>
[Collection(AppInChromium.Collection)]
public sealed class QueuePageTests(AppInChromium fixture)
{
    [Fact]
    public async Task MovingAndCancelling_ChangeWhatTheWorkerRunsNext()
    {
        using var api = fixture.App.CreateClient();
        // A long run keeps the app's single worker busy, so the others stay queued while the test acts.
        var busy = await SubmitAsync(api, "queue-busy");
        var second = await SubmitAsync(api, "queue-second");
        var third = await SubmitAsync(api, "queue-third");
        try
        {
            await using var context = await fixture.Browser.NewContextAsync();
            var page = await context.NewPageAsync();
            var problems = new PageProblems(page);
            await Pages.OpenAsync(page, fixture.App.Address, "/queue");
            var rows = page.GetByRole(AriaRole.Row);

            await Expect(Row(page, "queue-busy")).ToContainTextAsync("running");
            await Expect(Row(page, "queue-third")).ToContainTextAsync("queued");
            await ExpectOrderAsync(rows, "queue-busy", "queue-second", "queue-third");

            await page.GetByRole(AriaRole.Button, new() { Name = "Move queue-third up" }).ClickAsync();
            await ExpectOrderAsync(rows, "queue-busy", "queue-third", "queue-second");

            await page.GetByRole(AriaRole.Button, new() { Name = "Cancel queue-second" }).ClickAsync();
            await Expect(Row(page, "queue-second")).ToHaveCountAsync(0);
            Assert.Equal("cancelled", await StatusAsync(api, second));
            Assert.Equal("queued", await StatusAsync(api, third));
            Assert.True(problems.All.Count == 0, string.Join('\n', problems.All));
        }
        finally
        {
            foreach (var id in new[] { busy, second, third }) await api.PostAsync($"api/runs/{id}/cancel", null);
        }
    }

    private static ILocator Row(IPage page, string name) => page.GetByRole(AriaRole.Row).Filter(new() { HasText = name });

    private static async Task ExpectOrderAsync(ILocator rows, params string[] names)
    {
        // Rows also hold other runs' names only when a test left some behind; order is read from these three alone.
        await Expect(rows.Filter(new() { HasTextRegex = new(string.Join('|', names)) })).ToHaveCountAsync(names.Length);
        for (var i = 0; i < names.Length; i++)
            await Expect(rows.Filter(new() { HasTextRegex = new(string.Join('|', names)) }).Nth(i)).ToContainTextAsync(names[i]);
    }

    private static async Task<long> SubmitAsync(HttpClient api, string name)
    {
        var response = await api.PostAsJsonAsync("api/runs", new
        {
            name, model = "mlp", dataset = "synthetic", device = "cpu", epochs = 1000,
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private static async Task<string> StatusAsync(HttpClient api, long id) =>
        (await api.GetFromJsonAsync<JsonElement>($"api/runs/{id}")).GetProperty("status").GetString()!;
}
