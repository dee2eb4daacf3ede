using System.Text.RegularExpressions;
using Tracker.E2E.NewRun;
using Tracker.E2E.RunPage;
using Tracker.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Journey;

/// <summary>What a new user does first: fill /runs/new, queue the run, and watch it train on its page.</summary>
[Collection(AppInChromium.Collection)]
public sealed partial class SubmitAndWatchTests(AppInChromium fixture)
{
    private const int Epochs = 12;

    [Fact]
    public async Task ARunSubmittedInTheForm_TrainsLiveOnItsPage_UntilItSucceeds()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        await NewRunPage.OpenAsync(page, fixture.App.Address);
        await NewRunPage.Input(page, "Name").FillAsync("e2e-journey");
        await NewRunPage.ChooseAsync(page, "Model", "mlp");
        await NewRunPage.ChooseAsync(page, "Dataset", "synthetic");
        await NewRunPage.ChooseAsync(page, "Device", "cpu");
        await NewRunPage.Input(page, "Epochs").FillAsync(Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await NewRunPage.Input(page, "Epochs").PressAsync("Tab");

        await NewRunPage.SubmitButton(page).ClickAsync();
        await Expect(page).ToHaveURLAsync(RunUrl());
        var navigations = 0;
        page.FrameNavigated += (_, frame) => { if (frame == page.MainFrame) navigations++; };

        await Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Heading, new() { Name = "e2e-journey" })).ToBeVisibleAsync();
        await RunPageParts.ExpectToGrowLiveUntilSucceededAsync(page, Epochs, navigationsSinceOpened: () => navigations);
        Assert.True(problems.All.Count == 0, $"{string.Join('\n', problems.All)}\nServer log:\n{fixture.App.Log}");
    }

    [GeneratedRegex(@"/runs/(\d+)$")]
    private static partial Regex RunUrl();
}
