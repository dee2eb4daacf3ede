using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.JSInterop;
using Microsoft.Playwright;
using MudBlazor;
using MudBlazor.Services;
using Tracker.E2E.Support;

namespace Tracker.Benchmarks;

/// <summary>
/// The chart library choice (decision 0060), measured: a 100k-point line and a 20-line comparison, drawn in Debian's
/// Chromium by MudBlazor's MudChart (SVG built on the server: its render time, then the browser's parse, layout and paint)
/// and by plotly.js as Plotly.Blazor loads it (SVG "scatter", and WebGL "scattergl" through SwiftShader, as the CI
/// machines have no GPU). Each figure is the median of N draws (default 5) in ms, from data in memory to the second
/// animation frame after it (MudChart drawn once, given up after a minute); Plotly also times a zoom (a relayout to a tenth of the x range). Arguments: draws.
/// </summary>
public static class ChartRenderBenchmark
{
    private const int ComparisonLines = 20;
    private static readonly TimeSpan MudLimit = TimeSpan.FromSeconds(60);

    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        var draws = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var comparisonPoints = Tracker.Web.Features.Runs.MetricQueries.ChartPoints;
        var scenarios = new (string Name, int Lines, int Points)[]
        {
            // Smallest first: an abandoned MudChart render keeps a core busy for the scenarios after it.
            ($"{ComparisonLines} lines x {comparisonPoints:N0} points (a comparison, as the app thins it)", ComparisonLines, comparisonPoints),
            ($"{ComparisonLines} lines x 5,000 points", ComparisonLines, 5_000),
            ("1 line x 100,000 points", 1, 100_000),
        };
        Console.WriteLine($"chart benchmark: median of {draws} draws, {Environment.ProcessorCount} cores, Chromium {DebianChromium.ExecutablePath}");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = DebianChromium.ExecutablePath, Headless = true,
            // As the e2e tests, plus software WebGL (SwiftShader) so that scattergl can draw without a GPU.
            Args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-unsafe-swiftshader", "--use-angle=swiftshader"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var plotly = PlotlyScript();
        var mudCss = Path.Combine(PackageFolder("mudblazor", "9.12.0"), "staticwebassets", "MudBlazor.min.css");
        var folder = Directory.CreateTempSubdirectory("tracker-chart-bench-").FullName;
        Console.WriteLine("| scenario | MudChart: server render | MudChart: HTML | MudChart: browser draw | Plotly SVG: draw | Plotly SVG: zoom | Plotly WebGL: draw | Plotly WebGL: zoom |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        try
        {
            foreach (var (name, lines, points) in scenarios)
            {
                // Plotly: the data generated in the page, drawn by plotly.js.
                await page.SetContentAsync("<!DOCTYPE html><html><head><meta charset=utf-8></head><body><div id=host style='width:1000px'></div></body></html>");
                await page.AddScriptTagAsync(new() { Path = plotly });
                var svg = await TimePlotlyAsync(page, lines, points, "scatter", draws);
                var gl = await TimePlotlyAsync(page, lines, points, "scattergl", draws);
                // MudChart: the server builds the SVG; the browser then parses, lays out and paints it (a file here, the circuit in
                // the app). Given up after the limit: a chart that takes that long is out of the running anyway.
                var series = Series(lines, points);
                await using var mud = MudRenderer.Create();
                var watch = Stopwatch.StartNew();
                var rendering = mud.RenderLineChartAsync(series);
                string render, size, paint;
                if (await Task.WhenAny(rendering, Task.Delay(MudLimit)) != rendering)
                    (render, size, paint) = ($"> {MudLimit.TotalMilliseconds:F0} (given up)", "?", "–");
                else
                {
                    var html = await rendering;
                    render = $"{watch.Elapsed.TotalMilliseconds:F0}";
                    size = $"{html.Length / 1024.0 / 1024.0:F1} MiB";
                    var file = Path.Combine(folder, "mud.html");
                    await File.WriteAllTextAsync(file, $"<!DOCTYPE html><html><head><meta charset=utf-8><link rel=stylesheet href='file://{mudCss}'></head><body><div style='width:1000px'>{html}</div></body></html>");
                    try
                    {
                        await page.GotoAsync("file://" + file, new() { WaitUntil = WaitUntilState.Load, Timeout = (float)MudLimit.TotalMilliseconds });
                        paint = $"{await page.EvaluateAsync<double>(SecondFrame):F0}";
                    }
                    catch (TimeoutException)
                    {
                        paint = $"> {MudLimit.TotalMilliseconds:F0} (given up)";
                    }
                }
                Console.WriteLine($"| {name} | {render} | {size} | {paint} | {svg.Draw:F0} | {svg.Zoom:F0} | {gl.Draw:F0} | {gl.Zoom:F0} |");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    /// <summary>Ms from the start of the page's navigation to its second painted frame: parse, layout and paint of the chart.</summary>
    private const string SecondFrame = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))";

    /// <summary>Plotly.newPlot of the series, then a zoom to a tenth of the x range: ms of each until the second frame after it.</summary>
    private const string DrawPlotly = """
        async ([lines, points, type]) => {
            let seed = 1;
            const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
            const series = [...Array(lines).keys()].map(line => ({ name: 'run ' + line,
                x: Float64Array.from({ length: points }, (_, i) => i),
                y: Float64Array.from({ length: points }, (_, i) => 2.3 * Math.exp(-3 * i / points) + 0.05 * line + 0.02 * random()) }));
            const host = document.getElementById('host');
            Plotly.purge(host);
            host.innerHTML = '';
            await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
            const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
            const traces = series.map(s => ({ type, mode: 'lines', name: s.name, x: s.x, y: s.y }));
            const t0 = performance.now();
            await Plotly.newPlot(host, traces, { height: 300, hovermode: 'x', showlegend: true }, { responsive: true, scrollZoom: true });
            await frames();
            const draw = performance.now() - t0;
            const last = series[0].x[series[0].x.length - 1];
            const t1 = performance.now();
            await Plotly.relayout(host, { 'xaxis.range': [last * 0.45, last * 0.55] });
            await frames();
            return [draw, performance.now() - t1, document.querySelectorAll('#host .main-svg').length > 0 ? 1 : 0];
        }
        """;

    private static async Task<(double Draw, double Zoom)> TimePlotlyAsync(IPage page, int lines, int points, string type, int draws)
    {
        var drawn = new List<double>();
        var zoomed = new List<double>();
        for (var i = 0; i < draws; i++)
        {
            var result = await page.EvaluateAsync<double[]>(DrawPlotly, new object[] { lines, points, type });
            drawn.Add(result[0]);
            zoomed.Add(result[1]);
        }
        return (Median(drawn), Median(zoomed));
    }

    /// <summary>A noisy decaying loss curve per line, as a training run draws.</summary>
    private static List<(string Name, double[] Y)> Series(int lines, int points)
    {
        var random = new Random(1);
        return [.. Enumerable.Range(0, lines).Select(line => ($"run {line}", Enumerable.Range(0, points)
            .Select(i => 2.3 * Math.Exp(-3.0 * i / points) + 0.05 * line + 0.02 * random.NextDouble()).ToArray()))];
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string PlotlyScript() =>
        Directory.GetFiles(Path.Combine(PackageFolder("plotly.blazor", "7.2.0"), "staticwebassets"), "plotly-3*.min.js").Single(f => !f.Contains("basic", StringComparison.Ordinal));

    private static string PackageFolder(string id, string version) =>
        Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), id, version);

    /// <summary>Renders MudChart to HTML outside a circuit, as the server's render of it would produce.</summary>
    private sealed class MudRenderer : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly HtmlRenderer _renderer;

        private MudRenderer(ServiceProvider services)
        {
            _services = services;
            _renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        }

        public static MudRenderer Create()
        {
            var services = new ServiceCollection();
            services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
            services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
            services.AddSingleton<IJSRuntime, NoJavaScript>();
            services.AddSingleton<NavigationManager, StaticNavigation>();
            services.AddMudServices();
            return new MudRenderer(services.BuildServiceProvider());
        }

        public Task<string> RenderLineChartAsync(IReadOnlyList<(string Name, double[] Y)> series) => _renderer.Dispatcher.InvokeAsync(async () =>
        {
            var chartSeries = series.Select(s => new ChartSeries<double> { Name = s.Name, Data = new ChartData<double>(s.Y) }).ToList();
            // Ten x labels, as a readable axis has: a label per point would add a text element each.
            var labels = Enumerable.Range(0, series[0].Y.Length).Select(i => i % (series[0].Y.Length / 10) == 0 ? i.ToString(CultureInfo.InvariantCulture) : "").ToArray();
            var output = await _renderer.RenderComponentAsync<MudChart<double>>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(MudChart<double>.ChartType)] = ChartType.Line,
                [nameof(MudChart<double>.ChartSeries)] = chartSeries,
                [nameof(MudChart<double>.ChartLabels)] = labels,
                [nameof(MudChart<double>.Width)] = "1000px",
                [nameof(MudChart<double>.Height)] = "300px",
            }));
            return output.ToHtmlString();
        });

        public async ValueTask DisposeAsync()
        {
            await _renderer.DisposeAsync();
            await _services.DisposeAsync();
        }
    }

    private sealed class NoJavaScript : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => ValueTask.FromResult(default(TValue)!);

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            ValueTask.FromResult(default(TValue)!);
    }

    private sealed class StaticNavigation : NavigationManager
    {
        public StaticNavigation() => Initialize("http://localhost/", "http://localhost/");
    }
}
