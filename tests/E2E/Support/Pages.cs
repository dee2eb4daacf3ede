using Microsoft.Playwright;

namespace Tracker.E2E.Support;

/// <summary>The parts of the app's pages the tests act on, found the way a user or a screen reader would.</summary>
public static class Pages
{
    public static ILocator SidebarToggle(IPage page) =>
        page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" });

    public static ILocator Sidebar(IPage page) => page.Locator("#tracker-sidebar");

    public static Task OpenHomeAsync(IPage page, Uri app) => OpenAsync(page, app, "/");

    /// <summary>
    /// Opens a page of the app and waits until the circuit has rendered it: the toggle is disabled in the
    /// prerendered HTML and only an interactive render enables it, and until then no button does anything.
    /// </summary>
    public static async Task OpenAsync(IPage page, Uri app, string pathAndQuery)
    {
        await page.GotoAsync(new Uri(app, pathAndQuery).ToString());
        await Assertions.Expect(SidebarToggle(page)).ToBeEnabledAsync();
    }
}
