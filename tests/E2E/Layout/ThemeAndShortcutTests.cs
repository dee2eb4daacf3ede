using Microsoft.Playwright;
using Tracker.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.Layout;

/// <summary>Dark mode follows the system until the app bar's toggle picks one, which is remembered; "/" jumps to the run search.</summary>
[Collection(AppInChromium.Collection)]
public sealed class ThemeAndShortcutTests(AppInChromium fixture)
{
    // MudBlazor's theme provider writes the palette as CSS variables on the document.
    private const string Background = "() => getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-background').trim()";

    [Fact]
    public async Task ADarkSystem_GetsTheDarkTheme_AndTheTogglesChoiceOutlivesAReload()
    {
        await using var context = await fixture.Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 1400, Height = 900 }, ColorScheme = ColorScheme.Dark,
        });
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        await Pages.OpenHomeAsync(page, fixture.App.Address);
        var toggle = page.GetByTestId("theme-toggle");

        await Expect(toggle).ToHaveAttributeAsync("aria-label", "Switch to light mode");
        var dark = await page.EvaluateAsync<string>(Background);

        await toggle.ClickAsync();

        await Expect(toggle).ToHaveAttributeAsync("aria-label", "Switch to dark mode");
        var light = await page.EvaluateAsync<string>(Background);
        Assert.NotEqual(dark, light);

        await page.ReloadAsync();
        await Expect(Pages.SidebarToggle(page)).ToBeEnabledAsync();
        // The stored choice (light) wins over the dark system setting.
        await Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-label", "Switch to dark mode");
        Assert.Equal(light, await page.EvaluateAsync<string>(Background));
        Assert.True(problems.All.Count == 0, string.Join('\n', problems.All));
    }

    [Fact]
    public async Task Slash_FocusesTheRunSearch_ButTypesIntoAnotherBox()
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        await Pages.OpenAsync(page, fixture.App.Address, "/runs");
        var search = page.GetByLabel("Filter query");

        // Nothing focused, as after reading the page: the key goes to the document.
        await page.EvaluateAsync("() => document.activeElement?.blur()");
        await page.Keyboard.PressAsync("/");

        await Expect(search).ToBeFocusedAsync();
        await Expect(search).ToHaveValueAsync("");

        var viewName = page.GetByLabel("View name");
        await viewName.FocusAsync();
        await page.Keyboard.TypeAsync("a/b");
        await Expect(viewName).ToHaveValueAsync("a/b");
        await Expect(viewName).ToBeFocusedAsync();
    }
}
