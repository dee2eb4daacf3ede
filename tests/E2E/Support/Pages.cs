using Microsoft.Playwright;

namespace Tracker.E2E.Support;

/// <summary>The parts of the app's pages the tests act on, found the way a user or a screen reader would.</summary>
public static class Pages
{
    public static ILocator SidebarToggle(IPage page) =>
        page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" });

    public static ILocator Sidebar(IPage page) => page.Locator("#tracker-sidebar");

    /// <summary>
    /// Opens the home page and waits until the circuit has rendered it: the toggle is disabled in the
    /// prerendered HTML and only an interactive render enables it.
    /// </summary>
    public static async Task OpenHomeAsync(IPage page, Uri app)
    {
        await page.GotoAsync(app.ToString());
        await Assertions.Expect(SidebarToggle(page)).ToBeEnabledAsync();
    }
}
