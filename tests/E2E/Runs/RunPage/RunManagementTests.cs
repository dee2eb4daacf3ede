using Microsoft.Playwright;
using Tracker.E2E.Support;
using static Microsoft.Playwright.Assertions;
using static Tracker.E2E.RunPage.RunPageParts;

namespace Tracker.E2E.RunPage;

/// <summary>The run page's management: cancel with a confirmation, rename, archive, delete into the trash and restore.</summary>
[Collection(AppInChromium.Collection)]
public sealed class RunManagementTests(AppInChromium fixture)
{
    [Fact]
    public async Task ARun_IsCancelledAfterAConfirmation_Renamed_Archived_Deleted_AndRestoredFromTheTrash()
    {
        var runId = await SubmitAsync(fixture.App.Address, "e2e manage", epochs: 500);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        try
        {
            await OpenAsync(page, fixture.App.Address, runId);

            // One click only asks; "Keep it running" leaves it alone, "Stop the run" stops it.
            await Button(page, "Cancel run").ClickAsync();
            await Expect(page.GetByTestId("cancel-confirm")).ToBeVisibleAsync();
            await Button(page, "Keep it running").ClickAsync();
            await Expect(page.GetByTestId("cancel-confirm")).ToHaveCountAsync(0);
            await Expect(Status(page)).Not.ToHaveTextAsync("cancelled");
            await Button(page, "Cancel run").ClickAsync();
            await Button(page, "Stop the run").ClickAsync();
            await Expect(Status(page)).ToHaveTextAsync("cancelled");

            await Button(page, "Rename run").ClickAsync();
            await TextBox(page, "Run name").FillAsync("e2e managed");
            await Button(page, "Save name").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "e2e managed" })).ToBeVisibleAsync();

            await Button(page, "Archive").ClickAsync();
            await Expect(page.GetByTestId("archived")).ToBeVisibleAsync();
            await page.ReloadAsync();
            await Expect(Button(page, "Unarchive")).ToBeEnabledAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "e2e managed" })).ToBeVisibleAsync();

            await Button(page, "Delete…").ClickAsync();
            await Button(page, "Delete").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Run {runId} is in the trash" })).ToBeVisibleAsync();
            await Button(page, "Restore").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "e2e managed" })).ToBeVisibleAsync();
            await Expect(Status(page)).ToHaveTextAsync("cancelled");
            await Expect(page.GetByTestId("archived")).ToBeVisibleAsync();
        }
        finally
        {
            await CancelAsync(fixture.App.Address, runId);
        }
    }
}
