using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tracker.E2E.NewRun;
using Tracker.E2E.Support;
using Tracker.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Accounts;

/// <summary>Accounts in the browser: signing in and out as a member, what a viewer is offered, and the first-run /setup.</summary>
[Collection(AppInChromium.Collection)]
public sealed partial class AccountJourneyTests(AppInChromium fixture)
{
    private const string Password = "a long enough password";

    private async Task MakeUserAsync(string userName, string role)
    {
        using var api = fixture.App.CreateClient();
        using var response = await api.PostAsJsonAsync("/api/users", new { userName, password = Password, role });
        Assert.True(response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
    }

    private static async Task SignInWithTheFormAsync(IPage page, string userName)
    {
        await page.GetByLabel("User name").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    [Fact]
    public async Task Member_SignsIn_SubmitsARun_SeesItAsTheirs_AndSignsOut()
    {
        await MakeUserAsync("erin", "member");
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        long? runId = null;
        try
        {
            await page.GotoAsync(new Uri(fixture.App.Address, "/runs/new").ToString());
            await Expect(page).ToHaveURLAsync(new Regex("/account/signin"));
            await SignInWithTheFormAsync(page, "erin");
            await Expect(page).ToHaveURLAsync(new Regex("/runs/new$"));
            await Expect(Pages.SidebarToggle(page)).ToBeEnabledAsync();
            await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync("erin");

            await NewRunPage.Input(page, "Name").FillAsync("erin's run");
            await NewRunPage.ChooseAsync(page, "Model", "mlp");
            await NewRunPage.ChooseAsync(page, "Dataset", "synthetic");
            await NewRunPage.ChooseAsync(page, "Device", "cpu");
            await NewRunPage.SubmitButton(page).ClickAsync();
            await Expect(page).ToHaveURLAsync(RunUrl());
            runId = long.Parse(RunUrl().Match(page.Url).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            await Expect(page.Locator("dt:text-is('Owner') + dd")).ToHaveTextAsync("erin");

            await page.GetByRole(AriaRole.Link, new() { Name = "Sign out" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/account/signin"));
            await page.GotoAsync(new Uri(fixture.App.Address, "/runs").ToString());
            await Expect(page).ToHaveURLAsync(new Regex("/account/signin"));
        }
        finally
        {
            if (runId is { } id)
            {
                using var api = fixture.App.CreateClient();
                (await api.PostAsync($"/api/runs/{id}/cancel", null)).Dispose();
            }
        }
    }

    [Fact]
    public async Task Viewer_SeesNoSubmitOrCancel_AndADirectPostFails()
    {
        await MakeUserAsync("vic", "viewer");
        using var api = fixture.App.CreateClient();
        using var submitted = await api.PostAsync("/api/runs", new StringContent(
            """{"name":"for the viewer","model":"mlp","dataset":"synthetic","device":"cpu","epochs":500}""", System.Text.Encoding.UTF8, "application/json"));
        var runId = (await submitted.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();
        try
        {
            var session = await BrowserSession.PostSignInFormAsync(fixture.App.Address, "vic", Password);
            await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
            await context.AddCookiesAsync([new Cookie { Name = BrowserSession.CookieName, Value = session, Url = fixture.App.Address.GetLeftPart(UriPartial.Authority) }]);
            var page = await context.NewPageAsync();

            await Pages.OpenAsync(page, fixture.App.Address, $"/runs/{runId}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "for the viewer" })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel run" })).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Share" })).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add tag" })).ToHaveCountAsync(0);
            await Expect(Pages.Sidebar(page).GetByText("New run")).ToHaveCountAsync(0);

            var origin = fixture.App.Address.GetLeftPart(UriPartial.Authority);
            var post = await page.APIRequest.PostAsync(new Uri(fixture.App.Address, $"/api/runs/{runId}/cancel").ToString(),
                new() { Headers = new Dictionary<string, string> { ["Origin"] = origin } });
            Assert.Equal(403, post.Status);
            var status = (await api.GetFromJsonAsync<JsonNode>($"/api/runs/{runId}"))!["status"]!.GetValue<string>();
            Assert.NotEqual("cancelled", status);

            await page.GotoAsync(new Uri(fixture.App.Address, "/runs/new").ToString());
            await Expect(page).ToHaveURLAsync(new Regex("/account/denied"));
        }
        finally
        {
            (await api.PostAsync($"/api/runs/{runId}/cancel", null)).Dispose();
        }
    }

    [Fact]
    public async Task FirstRun_SetupMakesTheAdmin_WhoLandsSignedIn()
    {
        var data = Directory.CreateTempSubdirectory("tracker-e2e-setup-").FullName;
        try
        {
            await using var app = await RunningApp.StartAsync(AppInChromium.LoopbackOnFreePort,
            [
                .. AppInChromium.Environment,
                ("Database__SqlitePath", Path.Combine(data, "tracker.db")),
                ("Jobs__RunsDirectory", Path.Combine(data, "runs")),
                (TestAuth.EnvironmentVariable, ""),
            ]);
            await using var context = await fixture.Browser.NewContextAsync();
            var page = await context.NewPageAsync();

            // The log names the link; the app answers it on this machine.
            await WaitForAsync(() => app.Log.Contains("/setup", StringComparison.Ordinal), app);
            await page.GotoAsync(new Uri(app.Address, "/setup").ToString());
            await page.GetByLabel("User name").FillAsync("first-admin");
            await page.GetByLabel("Password (at least 10 characters)").FillAsync(Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create admin" }).ClickAsync();

            await Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync("first-admin");
            await Expect(Pages.Sidebar(page).GetByText("Users")).ToBeVisibleAsync();
            await page.GotoAsync(new Uri(app.Address, "/setup").ToString());
            await Expect(page).ToHaveURLAsync(new Regex("/account/signin"));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, RunningApp app)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(100);
        Assert.True(condition(), app.Log);
    }

    [GeneratedRegex(@"/runs/(\d+)$")]
    private static partial Regex RunUrl();
}
