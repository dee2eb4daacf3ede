using System.Collections.Concurrent;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using Tracker.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Circuit;

/// <summary>The browser gets blazor.web.js, opens a circuit to the server and keeps the user informed when it drops.</summary>
[Collection(AppInChromium.Collection)]
public sealed class CircuitTests(AppInChromium fixture)
{
    [Fact]
    public async Task HomePage_OpensACircuit_WithoutAnyBrowserError()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        var circuitSockets = new ConcurrentQueue<IWebSocket>();
        page.WebSocket += (_, socket) =>
        {
            if (new Uri(socket.Url).AbsolutePath == "/_blazor") circuitSockets.Enqueue(socket);
        };

        await Pages.OpenHomeAsync(page, fixture.App.Address);

        var socket = Assert.Single(circuitSockets);
        Assert.False(socket.IsClosed);
        Assert.True(problems.All.Count == 0, $"{string.Join('\n', problems.All)}\nServer log:\n{fixture.App.Log}");
    }

    [Fact]
    public async Task ReconnectDialog_Opens_WhenTheServerGoesAway()
    {
        // Its own app, since this test ends it.
        await using var app = await RunningApp.StartAsync(AppInChromium.LoopbackOnFreePort, AppInChromium.Environment);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await Pages.OpenHomeAsync(page, app.Address);
        var dialog = page.Locator("#components-reconnect-modal");
        await Expect(dialog).ToBeHiddenAsync();

        app.Stop();

        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByText("Rejoining the server")).ToBeVisibleAsync();
    }
}
