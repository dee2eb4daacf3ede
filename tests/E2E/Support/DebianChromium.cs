using Microsoft.Playwright;

namespace Tracker.E2E.Support;

/// <summary>
/// Debian's chromium package, driven by Playwright. Playwright's own browser downloads are unreachable
/// here, so `playwright install` is never run; scripts/common.sh installs the package.
/// </summary>
public static class DebianChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    // No sandbox: tests run as root in containers. The rest keep the browser off the network.
    private static readonly string[] Arguments =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Debian's Chromium is missing ({ExecutablePath}): run ./test.sh, which installs it, or `apt-get install chromium`.");
        }
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Arguments,
        });
    }
}
