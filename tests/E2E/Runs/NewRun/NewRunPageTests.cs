using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tracker.E2E.Support;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Features.Runs.Forms;
using static Microsoft.Playwright.Assertions;

namespace Tracker.E2E.NewRun;

/// <summary>/runs/new in a browser: the engine's field errors where the user typed, and runs and sweeps queued through the form.</summary>
[Collection(AppInChromium.Collection)]
public sealed partial class NewRunPageTests(AppInChromium fixture) : IAsyncLifetime
{
    private IBrowserContext? _context;
    private IPage _page = default!;
    private PageProblems _problems = default!;
    private readonly HttpClient _api = TestAuth.Authorize(new HttpClient { BaseAddress = fixture.App.Address });

    public async Task InitializeAsync()
    {
        _context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        _page = await _context.NewPageAsync();
        _problems = new PageProblems(_page);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        if (_context is not null) await _context.DisposeAsync();
    }

    [Theory]
    [InlineData("Learning rate", "lr", "-1", "The learning rate must be greater than 0.")]
    [InlineData("Epochs", "epochs", "0", "Epochs must be at least 1.")]
    public async Task AnInvalidValue_ShowsTheEnginesMessageUnderItsField_AndSubmittingQueuesNothing(
        string label, string path, string value, string message)
    {
        var runsBefore = await RunCountAsync();
        await NewRunPage.OpenAsync(_page, fixture.App.Address);
        var input = NewRunPage.Input(_page, label);

        await input.FillAsync(value);
        await input.PressAsync("Tab");

        await Expect(NewRunPage.Field(_page, path)).ToContainTextAsync(message);
        await Expect(input).ToHaveAccessibleDescriptionAsync(message);
        await NewRunPage.SubmitButton(_page).ClickAsync();
        await Expect(_page.GetByText("Nothing was queued")).ToBeVisibleAsync();
        // The refused submit names the field and takes the user to it (issue 13, problem 4).
        await Expect(_page.GetByTestId("submit-blocked")).ToHaveTextAsync($"Nothing was queued: fix {label} (marked above).");
        await Expect(input).ToBeFocusedAsync();
        await Expect(input).ToBeInViewportAsync();
        await Expect(input).ToHaveValueAsync(value);
        Assert.EndsWith("/runs/new", _page.Url, StringComparison.Ordinal);
        Assert.Equal(runsBefore, await RunCountAsync());
        Assert.True(_problems.All.Count == 0, string.Join('\n', _problems.All));
    }

    [Fact]
    public async Task ATinyValidRun_IsQueued_AndTheBrowserLandsOnItsPage()
    {
        await NewRunPage.OpenAsync(_page, fixture.App.Address);
        await NewRunPage.Input(_page, "Name").FillAsync("e2e-tiny");
        await NewRunPage.ChooseAsync(_page, "Model", "mlp");
        await NewRunPage.ChooseAsync(_page, "Dataset", "synthetic");
        await NewRunPage.ChooseAsync(_page, "Device", "cpu");
        await NewRunPage.Input(_page, "Epochs").FillAsync("2");
        await NewRunPage.Input(_page, "Max steps per epoch").FillAsync("3");
        await NewRunPage.Input(_page, "Max steps per epoch").PressAsync("Tab");

        await NewRunPage.SubmitButton(_page).ClickAsync();

        await Expect(_page).ToHaveURLAsync(RunUrl());
        var id = long.Parse(RunUrl().Match(_page.Url).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var run = (await _api.GetFromJsonAsync<JsonNode>($"/api/runs/{id}"))!;
        var config = run["config"]!;
        Assert.Equal("e2e-tiny", run["name"]!.GetValue<string>());
        Assert.Equal(("mlp", "synthetic", "cpu", 2, 3),
            (config["model"]!.GetValue<string>(), config["dataset"]!.GetValue<string>(), config["device"]!.GetValue<string>(),
             config["epochs"]!.GetValue<int>(), config["maxStepsPerEpoch"]!.GetValue<int>()));
    }

    /// <summary>Issue 13, problem 6 (seen on the Radzen form): the first box of each list lay under the list's label.</summary>
    [Theory]
    [InlineData(1400)]
    [InlineData(390)]
    public async Task TheSweepsCheckLists_ShowTheirFirstBoxBelowTheListsLabel_WhereAClickTicksIt(int width)
    {
        await _page.SetViewportSizeAsync(width, 900);
        await NewRunPage.OpenAsync(_page, fixture.App.Address);
        await _page.GetByRole(AriaRole.Radio, new() { Name = "Sweep" }).ClickAsync();

        foreach (var path in new[] { SweepForm.MethodsPath, SweepForm.ModelsPath })
        {
            var field = NewRunPage.Field(_page, path);
            // Each list in view before it is measured: elementFromPoint below takes viewport coordinates.
            await field.ScrollIntoViewIfNeededAsync();
            var label = (await field.Locator("label.config-label").BoundingBoxAsync())!;
            var first = field.GetByRole(AriaRole.Checkbox).First;
            var box = (await field.Locator(".mud-checkbox").First.BoundingBoxAsync())!;
            Assert.True(box.Y >= label.Y + label.Height - 0.5, $"{path} at {width} px: the first box (top {box.Y}) starts above the label's bottom ({label.Y + label.Height})");
            // Nothing lies over the box: the element at its centre belongs to it.
            var (x, y) = (box.X + 12, box.Y + box.Height / 2);
            // (A point outside the viewport has no element: that fails here too, rather than passing as 'undefined !== null'.)
            var centre = FormattableString.Invariant($"(document.elementFromPoint({x}, {y})?.closest('.mud-checkbox') ?? null) !== null");
            Assert.True(await _page.EvaluateAsync<bool>(centre),
                $"{path} at {width} px: something covers the first box, or it is out of view");
            var ticked = await first.IsCheckedAsync();
            // At the same spot, through the locator: Playwright waits for the box to hold still (a late render of the
            // form can move it between the measure and the click; a click then ticked nothing, seen once under load).
            await field.Locator(".mud-checkbox").First.ClickAsync(new() { Position = new() { X = 12, Y = box.Height / 2 } });
            await Expect(first).ToBeCheckedAsync(new() { Checked = !ticked });
        }
    }

    [Fact]
    public async Task ASweepOfTwoMethodsOneModelTwoSeeds_LandsOnTheSweepPage_ListingFourRuns()
    {
        await NewRunPage.OpenAsync(_page, fixture.App.Address);
        await NewRunPage.Input(_page, "Name").FillAsync("e2e-sweep");
        await NewRunPage.ChooseAsync(_page, "Dataset", "synthetic");
        await NewRunPage.ChooseAsync(_page, "Device", "cpu");
        await NewRunPage.Input(_page, "Epochs").FillAsync("2");
        await NewRunPage.Input(_page, "Max steps per epoch").FillAsync("3");
        await NewRunPage.Input(_page, "Max steps per epoch").PressAsync("Tab");

        await _page.GetByRole(AriaRole.Radio, new() { Name = "Sweep" }).ClickAsync();
        var methods = _page.Locator($"[data-field='{SweepForm.MethodsPath}']");
        await methods.GetByRole(AriaRole.Checkbox, new() { Name = "no dropout", Exact = true }).ClickAsync();
        await methods.GetByRole(AriaRole.Checkbox, new() { Name = "standard dropout", Exact = true }).ClickAsync();
        // mlp is ticked by default.
        await NewRunPage.Input(_page, "Seeds").FillAsync("1, 2");
        await NewRunPage.Input(_page, "Seeds").PressAsync("Tab");
        await Expect(_page.GetByTestId("sweep-count")).ToContainTextAsync("= 4 runs");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Queue sweep (4 runs)" }).ClickAsync();

        await Expect(_page).ToHaveURLAsync(SweepUrl());
        var sweepId = SweepUrl().Match(_page.Url).Groups[1].Value;
        var grid = _page.GetByRole(AriaRole.Table);
        foreach (var name in new[] { "e2e-sweep-no-dropout-mlp-s1", "e2e-sweep-no-dropout-mlp-s2", "e2e-sweep-standard-dropout-mlp-s1", "e2e-sweep-standard-dropout-mlp-s2" })
            await Expect(grid.GetByRole(AriaRole.Link, new() { Name = name, Exact = true })).ToBeVisibleAsync();
        await Expect(_page.GetByRole(AriaRole.Link, new() { Name = "Compare all" })).ToHaveAttributeAsync("href", new Regex(@"^/compare\?runs=\d+,\d+,\d+,\d+$"));
        var sweep = (await _api.GetFromJsonAsync<JsonNode>($"/api/sweeps/{sweepId}"))!;
        Assert.Equal(4, sweep["runs"]!.AsArray().Count);
        // The page follows the runs as the worker trains them, without a reload.
        await Expect(_page.GetByTestId("sweep-finished")).ToHaveTextAsync("4 of 4 runs finished", new() { Timeout = 180_000 });
        await Expect(grid.GetByText("succeeded", new() { Exact = true })).ToHaveCountAsync(4);
        Assert.True(_problems.All.Count == 0, string.Join('\n', _problems.All));
    }

    [Fact]
    public async Task EveryConfigField_HasAnInputOnThePage_OnceItsSectionIsSwitchedOn()
    {
        await NewRunPage.OpenAsync(_page, fixture.App.Address);

        foreach (var section in new[] { "Use R-Drop", "Use DropConnect", "Use early stopping", "Gradient direction metrics" })
            await _page.GetByRole(AriaRole.Checkbox, new() { Name = section, Exact = true }).ClickAsync();

        foreach (var input in RunConfigFields.All)
        {
            var field = NewRunPage.Field(_page, input.Path);
            await Expect(field).ToBeVisibleAsync();
            await Expect(field).ToContainTextAsync(input.Label);
        }
    }

    [Fact]
    public async Task APresetInTheUrl_FillsThatMethod_AndAPresetButtonSwitchesIt()
    {
        await NewRunPage.OpenAsync(_page, fixture.App.Address, "?preset=early-dropout");

        await Expect(_page.GetByTestId("current-method")).ToHaveTextAsync("early dropout");
        await Expect(NewRunPage.Input(_page, "Dropout rate")).ToHaveValueAsync("0.1");
        await _page.GetByRole(AriaRole.Button, new() { Name = "late s.d.", Exact = true }).ClickAsync();
        await Expect(_page.GetByTestId("current-method")).ToHaveTextAsync("late s.d.");
        await Expect(NewRunPage.Input(_page, "Dropout rate")).ToHaveValueAsync("0");
        await Expect(NewRunPage.Input(_page, "Stochastic depth rate")).ToHaveValueAsync("0.4");
    }

    [Fact]
    public async Task FromARun_PrefillsItsConfig_UnderANewName()
    {
        using var posted = await _api.PostAsJsonAsync("/api/runs", new { name = "source-run", model = "convnet", dataset = "synthetic", device = "cpu", epochs = 1, maxStepsPerEpoch = 1, tags = new[] { "a", "b" } });
        posted.EnsureSuccessStatusCode();
        var id = (await posted.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();

        await NewRunPage.OpenAsync(_page, fixture.App.Address, $"?from={id}");

        await Expect(NewRunPage.Input(_page, "Name")).ToHaveValueAsync("source-run (2)"); // a clone is told apart from its source
        await Expect(NewRunPage.Input(_page, "Tags")).ToHaveValueAsync("a, b");
        await Expect(_page.GetByRole(AriaRole.Combobox, new() { Name = "Model", Exact = true })).ToContainTextAsync("convnet");
        await Expect(NewRunPage.Input(_page, "Max steps per epoch")).ToHaveValueAsync("1");
    }

    [Fact]
    public async Task PastedJson_FillsTheForm_AndBadJsonIsExplainedWithoutLosingIt()
    {
        await NewRunPage.OpenAsync(_page, fixture.App.Address);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Edit as JSON" }).ClickAsync();
        var json = _page.GetByRole(AriaRole.Textbox, new() { Name = "Config JSON" });

        const string Bad = """{"name": "pasted", "epohcs": 3}""";
        await json.FillAsync(Bad);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Apply JSON" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "epohcs" })).ToBeVisibleAsync();
        await Expect(json).ToHaveValueAsync(Bad);

        await json.FillAsync("""{"name": "pasted", "epochs": 3, "lr": 0.01}""");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Apply JSON" }).ClickAsync();
        await Expect(json).ToBeHiddenAsync();
        await Expect(NewRunPage.Input(_page, "Name")).ToHaveValueAsync("pasted");
        await Expect(NewRunPage.Input(_page, "Epochs")).ToHaveValueAsync("3");
        await Expect(NewRunPage.Input(_page, "Learning rate")).ToHaveValueAsync("0.01");
    }

    private async Task<int> RunCountAsync() =>
        (await _api.GetFromJsonAsync<JsonNode>("/api/runs?pageSize=1"))!["total"]!.GetValue<int>();

    [GeneratedRegex(@"/runs/(\d+)$")]
    private static partial Regex RunUrl();

    [GeneratedRegex(@"/sweeps/([0-9a-f]+)$")]
    private static partial Regex SweepUrl();
}
