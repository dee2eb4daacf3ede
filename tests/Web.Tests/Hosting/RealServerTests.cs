using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Tracker.Web.Tests.Support;

namespace Tracker.Web.Tests.Hosting;

/// <summary>
/// Starts Tracker.Web as its own process on Kestrel, the way it is deployed, not on the test server,
/// and proves it serves. Port 0 lets the OS pick a free port; the app logs the one it got.
/// </summary>
public partial class RealServerTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task App_StartedWithUrlsArgument_ServesTheHomePage()
    {
        await using var app = await RunningApp.StartAsync(["--urls", "http://127.0.0.1:0"], environment: []);

        using var client = new HttpClient { BaseAddress = app.Address };
        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Tracker", Html.Title(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task App_ListensWhereAspNetCoreUrlsSays_InsteadOfTheDefault()
    {
        await using var app = await RunningApp.StartAsync([], environment: [("ASPNETCORE_URLS", "http://127.0.0.1:0")]);

        Assert.Equal("127.0.0.1", app.Address.Host);
        Assert.NotEqual(5080, app.Address.Port);
    }

    private sealed partial class RunningApp : IAsyncDisposable
    {
        private readonly Process _process;

        private RunningApp(Process process, Uri address)
        {
            _process = process;
            Address = address;
        }

        public Uri Address { get; }

        public static async Task<RunningApp> StartAsync(string[] arguments, (string Name, string Value)[] environment)
        {
            // The test output holds Tracker.Web.dll with its runtimeconfig, deps and appsettings.
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                WorkingDirectory = AppContext.BaseDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Tracker.Web.dll"));
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment.Remove("ASPNETCORE_URLS");
            start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
            foreach (var (name, value) in environment) start.Environment[name] = value;

            var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
            // Both pipes are drained for the app's whole life, so a chatty log can never block it.
            var errors = process.StandardError.ReadToEndAsync();
            var output = new List<string>();
            try
            {
                using var timeout = new CancellationTokenSource(StartTimeout);
                while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    output.Add(line);
                    if (ListeningPattern().Match(line) is { Success: true } match)
                    {
                        _ = process.StandardOutput.ReadToEndAsync();
                        return new RunningApp(process, new Uri(match.Groups[1].Value));
                    }
                }
                throw new InvalidOperationException(
                    $"Tracker.Web exited before listening:\n{string.Join('\n', output)}\n{await errors}");
            }
            catch
            {
                Stop(process);
                throw;
            }
        }

        public ValueTask DisposeAsync()
        {
            Stop(_process);
            return ValueTask.CompletedTask;
        }

        private static void Stop(Process process)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }

        [GeneratedRegex(@"Now listening on: (http://\S+)")]
        private static partial Regex ListeningPattern();
    }
}
