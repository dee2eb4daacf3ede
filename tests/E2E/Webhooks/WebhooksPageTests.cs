using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using Tracker.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Webhooks;

/// <summary>/projects/{name}/webhooks in a browser: a webhook added there is called when a run ends, and the run page says so.</summary>
[Collection(AppInChromium.Collection)]
public sealed class WebhooksPageTests(AppInChromium fixture) : IAsyncLifetime
{
    private const string Project = "e2e-webhooks";
    private IBrowserContext? _context;
    private IPage _page = default!;
    private PageProblems _problems = default!;

    public async Task InitializeAsync()
    {
        _context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        _page = await _context.NewPageAsync();
        _problems = new PageProblems(_page);
    }

    public async Task DisposeAsync()
    {
        if (_context is not null) await _context.DisposeAsync();
    }

    /// <summary>A loopback HTTP endpoint that answers 200 and keeps the bodies it was sent.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        public List<string> Bodies { get; } = [];
        public string Url { get; }

        public Receiver()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/hook/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = ServeAsync();
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext request;
                try { request = await _listener.GetContextAsync(); }
                catch (Exception error) when (error is HttpListenerException or ObjectDisposedException) { return; }
                using (var reader = new StreamReader(request.Request.InputStream)) lock (Bodies) Bodies.Add(reader.ReadToEnd());
                request.Response.StatusCode = 200;
                request.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }

    [Fact]
    public async Task AWebhookAddedOnItsPage_IsCalledWhenARunFinishes_AndTheRunPageShowsTheDelivery()
    {
        using var receiver = new Receiver();
        await Pages.OpenAsync(_page, fixture.App.Address, $"/projects/{Project}/webhooks");
        await Expect(_page.GetByText("No webhooks yet.")).ToBeVisibleAsync();
        await _page.GetByLabel("Webhook URL").FillAsync(receiver.Url);
        await _page.GetByLabel("Secret").FillAsync("e2e-webhook-secret-16");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();

        await Expect(_page.GetByTestId("webhook-secret")).ToHaveTextAsync("e2e-webhook-secret-16");
        var listed = _page.GetByRole(AriaRole.Table, new() { Name = "Webhooks" });
        await Expect(listed.GetByText(receiver.Url)).ToBeVisibleAsync();

        using var http = TestAuth.Authorize(new HttpClient { BaseAddress = fixture.App.Address });
        using var created = await http.PostAsJsonAsync("/api/runs", new JsonObject
        {
            ["name"] = "e2e-webhook-run", ["project"] = Project, ["model"] = "mlp", ["dataset"] = "synthetic", ["device"] = "cpu",
            ["epochs"] = 1, ["maxStepsPerEpoch"] = 2,
        });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var runId = (await created.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();

        await Pages.OpenAsync(_page, fixture.App.Address, $"/runs/{runId}");
        var deliveries = _page.GetByTestId("webhook-deliveries");
        // The table shows once the run has ended and its delivery is recorded; Refresh reads the outcome again.
        await Expect(deliveries).ToBeVisibleAsync(new() { Timeout = 120_000 });
        var row = deliveries.Locator("tbody tr").Filter(new() { HasText = receiver.Url });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await row.InnerTextAsync()).Contains("200", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"No 200 recorded: {await row.InnerTextAsync()}");
            await _page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
            await Task.Delay(500);
        }
        await Expect(row).ToContainTextAsync("finished");
        lock (receiver.Bodies) Assert.Contains(receiver.Bodies, body => body.Contains($"\"runId\":{runId}", StringComparison.Ordinal));
        Assert.True(_problems.All.Count == 0, string.Join('\n', _problems.All));
    }
}
