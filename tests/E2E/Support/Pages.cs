using Microsoft.Playwright;

namespace Tracker.E2E.Support;

/// <summary>The parts of the app's pages the tests act on, found the way a user or a screen reader would.</summary>
public static class Pages
{
    public static ILocator SidebarToggle(IPage page) =>
        page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" });

    public static ILocator Sidebar(IPage page) => page.Locator("#tracker-sidebar");

    public static Task OpenHomeAsync(IPage page, Uri app) => OpenAsync(page, app, "/");

    /// <summary>Gives the page's browser context the test admin's session (once; see <see cref="BrowserSession"/>).</summary>
    public static Task SignInAsync(IPage page, Uri app) => BrowserSession.SignInAsync(page, app);

    /// <summary>
    /// Opens a page of the app (signed in as the test admin) and waits until the circuit has rendered it: the toggle is disabled in the
    /// prerendered HTML and only an interactive render enables it, and until then no button does anything.
    /// </summary>
    public static async Task OpenAsync(IPage page, Uri app, string pathAndQuery)
    {
        await SignInAsync(page, app);
        await page.GotoAsync(new Uri(app, pathAndQuery).ToString());
        await Assertions.Expect(SidebarToggle(page)).ToBeEnabledAsync();
    }
}
