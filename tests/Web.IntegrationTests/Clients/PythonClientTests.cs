using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Tracker.Tests.Support;

namespace Tracker.Web.IntegrationTests.Clients;

/// <summary>
/// The Python client (clients/python) against the real app in its own process: its unittest files run with Debian's
/// python3, signed in with a write token made through the API, as a researcher's script would be.
/// </summary>
public sealed class PythonClientTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tracker-python-client-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The repository root: the first folder above the test's output that holds clients/python.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (Directory.Exists(Path.Combine(folder.FullName, "clients", "python"))) return folder.FullName;
        throw new DirectoryNotFoundException($"No clients/python above {AppContext.BaseDirectory}.");
    }

    /// <summary>Debian's interpreter, the one ./test.sh installs (python3-torch lives there); any python3 elsewhere.</summary>
    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>Starts the app on its own SQLite file without workers, and makes a write token through the API.</summary>
    public static async Task<(RunningApp App, string Token)> StartAppAsync(string folder)
    {
        var app = await RunningApp.StartAsync(["--urls", "http://127.0.0.1:0"],
        [
            ("Database__SqlitePath", Path.Combine(folder, "tracker.db")), ("Jobs__RunsDirectory", Path.Combine(folder, "runs")), ("Jobs__Workers", "0"),
        ]);
        using var admin = app.CreateClient();
        using var created = await admin.PostAsJsonAsync("/api/tokens", new { name = "python client", scope = "write" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (app, (await created.Content.ReadFromJsonAsync<JsonNode>())!["token"]!.GetValue<string>());
    }

    /// <summary>Runs python3 with <paramref name="arguments"/> in the repository root; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunPythonAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout)
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo(Python) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["PYTHONPATH"] = Path.Combine(root, "clients", "python");
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"python3 {string.Join(' ', arguments)} ran past {timeout}:\n{await output}\n{await errors}");
        }
        return (process.ExitCode, await output + await errors);
    }

    [Fact]
    public async Task ThePythonClientsTests_PassAgainstTheRealApp()
    {
        var (app, token) = await StartAppAsync(_folder);
        await using var _ = app;
        // The restart test starts (and kills) an app of its own from the same build, on a port it picks.
        var privateApp = JsonSerializer.Serialize(new
        {
            argv = new[] { Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "Tracker.Web.dll") },
            cwd = AppContext.BaseDirectory,
            env = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production", [TestAuth.EnvironmentVariable] = TestAuth.AdminToken },
            token = TestAuth.AdminToken,
        });
        var (exitCode, output) = await RunPythonAsync(["-m", "unittest", "discover", "-v", "-s", "clients/python/tests"],
            new Dictionary<string, string>
            {
                ["TRACKER_SERVER"] = app.Address.ToString().TrimEnd('/'), ["TRACKER_TOKEN"] = token, ["TRACKER_TEST_APP"] = privateApp,
                ["TRACKER_DIR"] = Path.Combine(_folder, "spool"),
            },
            TimeSpan.FromMinutes(10));
        Assert.True(exitCode == 0, $"python3 -m unittest failed ({exitCode}):\n{output}\n--- app log ---\n{app.Log}");
        Console.WriteLine(output);
        Assert.Contains("Ran 8 tests", output, StringComparison.Ordinal);
        // Only the example may be skipped (where PyTorch is missing); the client's own tests must all run.
        Assert.DoesNotContain(output.Split('\n'), line => line.Contains("... skipped", StringComparison.Ordinal) && !line.Contains("example", StringComparison.Ordinal));
    }
}
