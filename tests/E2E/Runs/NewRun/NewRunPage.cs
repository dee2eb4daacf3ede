using Microsoft.Playwright;
using Tracker.E2E.Support;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.NewRun;

/// <summary>The parts of /runs/new the tests act on, found by their labels.</summary>
public static class NewRunPage
{
    /// <summary>Opens the form and waits for the circuit, without which typing would change nothing.</summary>
    public static Task OpenAsync(IPage page, Uri app, string query = "") => Pages.OpenAsync(page, app, "/runs/new" + query);

    public static ILocator Input(IPage page, string label) => page.GetByLabel(label, new() { Exact = true });

    /// <summary>The field's box: its input and the messages under it.</summary>
    public static ILocator Field(IPage page, string path) => page.Locator($"[data-field='{path}']");

    public static ILocator SubmitButton(IPage page) => page.GetByRole(AriaRole.Button, new() { Name = "Queue run" });

    /// <summary>Picks an option of a MudBlazor select (a combobox named by its aria-label).</summary>
    public static async Task ChooseAsync(IPage page, string label, string option)
    {
        await page.GetByRole(AriaRole.Combobox, new() { Name = label, Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
    }
}
