using Microsoft.Playwright;
using Tracker.E2E.Support;

namespace Tracker.E2E.Layout;

/// <summary>
/// Every main page fits a desktop window and a phone: the page never scrolls sideways, no element is wider than the
/// viewport (inside a box that scrolls or clips on its own, like a wide table's, an element may be). A screenshot of
/// each page at each size is saved with the results.
/// </summary>
[Collection(AppInChromium.Collection)]
public sealed class ViewportFitTests(AppInChromium fixture)
{
    public static readonly TheoryData<string, int, int> PagesAndSizes = Build();

    // Elements wider than the viewport and not held by an ancestor that scrolls or clips sideways.
    private const string Overflowing = """
        () => {
            const width = document.documentElement.clientWidth;
            const contained = (element) => {
                for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
                    if (/(auto|scroll|hidden|clip)/.test(getComputedStyle(parent).overflowX)) return parent.getBoundingClientRect().width <= width + 1;
                }
                return false;
            };
            const wide = [...document.querySelectorAll('body *')].filter(element => {
                const box = element.getBoundingClientRect();
                // Wholly left of the page (Plotly's text-measuring svg sits at left: -10000px) is where no scrolling reaches.
                return box.width > width + 1 && box.right > 0 && getComputedStyle(element).visibility !== 'hidden' && !contained(element);
            }).map(element => `${element.tagName.toLowerCase()}.${[...element.classList].join('.')} ${Math.round(element.getBoundingClientRect().width)}px`);
            if (document.documentElement.scrollWidth > width + 1) wide.unshift(`the page scrolls sideways: ${document.documentElement.scrollWidth}px in ${width}px`);
            return wide;
        }
        """;

    [Theory]
    [MemberData(nameof(PagesAndSizes))]
    public Task ThePage_FitsTheViewport(string path, int width, int height) => AssertFitsAsync(path, width, height);

    /// <summary>A finished run's page, with its charts, metric and config tables and every action (a seeded run: no training needed).</summary>
    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public async Task TheRunPage_FitsTheViewport(int width, int height)
    {
        var config = new Tracker.Shared.RunConfig
        {
            Name = "a finished run with a long name that has to wrap on a phone", Project = "e2e-seeded", Model = Tracker.Shared.KnownModels.Mlp,
            Dataset = Tracker.Shared.KnownDatasets.Synthetic, Device = Tracker.Shared.DeviceKind.Cpu,
        };
        var runId = (await SeededRuns.AddAsync(fixture, [(config, 81.5)]))[0];
        await AssertFitsAsync($"/runs/{runId}", width, height);
    }

    private async Task AssertFitsAsync(string path, int width, int height)
    {
        await using var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        await Pages.OpenAsync(page, fixture.App.Address, path);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var name = path.Trim('/').Replace('/', '-');
        if (name.StartsWith("runs-", StringComparison.Ordinal) && char.IsDigit(name[^1])) name = "run";
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"{(name.Length > 0 ? name : "home")}-{width}x{height}.png"), FullPage = true });

        var wide = await page.EvaluateAsync<string[]>(Overflowing);
        Assert.True(wide.Length == 0, $"{path} at {width}x{height}:\n{string.Join('\n', wide)}");
    }

    private static TheoryData<string, int, int> Build()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var path in new[] { "/", "/runs", "/runs/new", "/queue", "/compare", "/paper", "/trash" })
        foreach (var (width, height) in new[] { (1400, 900), (390, 844) })
            data.Add(path, width, height);
        return data;
    }
}
