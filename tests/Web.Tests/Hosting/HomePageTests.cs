using System.Net;
using Tracker.Training.Torch;
using Tracker.Web.Components.Layout;
using Tracker.Web.Tests.Support;

namespace Tracker.Web.Tests.Hosting;

/// <summary>The app as the test server hosts it: pages, layout and static assets.</summary>
public class HomePageTests(TrackerWebFactory factory) : IClassFixture<TrackerWebFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task HomePage_RendersTitleAndMudBlazorTheme()
    {
        var html = await _client.GetStringAsync("/");

        Assert.Equal("Tracker", Html.Title(html));
        Assert.Contains(Html.StylesheetHrefs(html), href => href.StartsWith("_content/MudBlazor/", StringComparison.Ordinal));
        Assert.DoesNotContain(Html.StylesheetHrefs(html), href => href.Contains("Radzen", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task MudBlazorStylesheetAndScript_LinkedFromTheHomePage_AreServed()
    {
        var html = await _client.GetStringAsync("/");
        var href = Html.StylesheetHrefs(html).Single(href => href.StartsWith("_content/MudBlazor/", StringComparison.Ordinal));
        var src = Html.ScriptSources(html).Single(src => src.StartsWith("_content/MudBlazor/", StringComparison.Ordinal));

        using var css = await _client.GetAsync("/" + href);
        using var script = await _client.GetAsync("/" + src);

        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Contains(".mud-", await css.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task BlazorScript_LinkedFromTheHomePage_IsServedAsFingerprintedJavaScript()
    {
        var html = await _client.GetStringAsync("/");
        var src = Html.ScriptSources(html).Single(src => src.StartsWith("_framework/blazor.web", StringComparison.Ordinal));

        using var response = await _client.GetAsync("/" + src);

        // A content hash in the name: outside Development it is served as immutable, cached for good.
        Assert.Matches(@"^_framework/blazor\.web\.[a-z0-9]{6,}\.js$", src);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        // The hub every circuit connects to: this is the Blazor Web script, not some other file.
        Assert.Contains("_blazor", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SidebarToggle_IsDisabledInThePrerenderedPage_UntilTheCircuitRuns()
    {
        var html = await _client.GetStringAsync("/");

        var toggle = Assert.Single(Html.Buttons(html, "sidebar-toggle"));
        Assert.Matches(@"\sdisabled[\s>=]", toggle);
        Assert.Contains("aria-controls=\"tracker-sidebar\"", toggle);
        Assert.Contains("id=\"tracker-sidebar\"", html);
    }

    [Fact]
    public async Task HomePage_ShowsTheRuntimeThatLibtorchReports()
    {
        var html = await _client.GetStringAsync("/");

        var deviceCount = torch.cuda.device_count();
        Assert.Equal(deviceCount.ToString(), Html.Fact(html, "cuda-device-count"));
        Assert.Equal(deviceCount > 0 ? "available" : "not available", Html.Fact(html, "cuda-available"));
        Assert.Equal(torch.get_num_threads().ToString(), Html.Fact(html, "torch-threads"));
        Assert.Equal(Environment.ProcessorCount.ToString(), Html.Fact(html, "processor-count"));
    }

    [Fact]
    public async Task Sidebar_LinksExactlyTheAvailablePages_AndEachOneAnswers()
    {
        var html = await _client.GetStringAsync("/");

        var links = Html.NavigationHrefs(html);
        Assert.Equal(SiteMap.Available.Select(entry => entry.Path), links);
        foreach (var link in links)
        {
            using var response = await _client.GetAsync(link);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{link} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task UnknownAddress_AnswersNotFoundWithTheAppsPage()
    {
        using var response = await _client.GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Not found · Tracker", Html.Title(await response.Content.ReadAsStringAsync()));
    }
}
