using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Layout;

/// <summary>The header's toggle hides and shows the navigation, through the circuit.</summary>
[Collection(AppInChromium.Collection)]
public sealed partial class SidebarToggleTests(AppInChromium fixture)
{
    [Fact]
    public async Task OnADesktop_TheToggleCollapsesAndReopensTheSidebar()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        await Pages.OpenHomeAsync(page, fixture.App.Address);
        var toggle = Pages.SidebarToggle(page);
        var sidebar = Pages.Sidebar(page);

        await toggle.ClickAsync();

        await Expect(sidebar).ToHaveClassAsync(Collapsed());
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");

        await toggle.ClickAsync();

        await Expect(sidebar).ToHaveClassAsync(Expanded());
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        Assert.True(problems.All.Count == 0, string.Join('\n', problems.All));
    }

    [Fact]
    public async Task OnAPhone_TheSidebarStartsCollapsed_AndTheToggleOpensIt()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        await Pages.OpenHomeAsync(page, fixture.App.Address);
        var toggle = Pages.SidebarToggle(page);
        var sidebar = Pages.Sidebar(page);

        // MudBlazor's drawer learns the breakpoint from the browser and closes itself below Md.
        await Expect(sidebar).ToHaveClassAsync(Collapsed());
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");

        await toggle.ClickAsync();

        await Expect(sidebar).ToHaveClassAsync(Expanded());
        Assert.True(problems.All.Count == 0, string.Join('\n', problems.All));
    }

    [GeneratedRegex(@"\bmud-drawer--closed\b")]
    private static partial Regex Collapsed();

    [GeneratedRegex(@"\bmud-drawer--open\b")]
    private static partial Regex Expanded();
}
