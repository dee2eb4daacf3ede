using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Tracker.Shared;
using Tracker.Tests.Support;

namespace Tracker.Web.IntegrationTests.Clients;

/// <summary><c>tracker-train import DIR</c>, the real executable, into the real app: a run trained offline lands once.</summary>
public sealed class RunImportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tracker-import-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static async Task<(int ExitCode, string Output)> ImportAsync(string folder, Uri server, string token)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "tracker-train.dll"), "import", folder, "--server", server.ToString(), "--token", token })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }

    /// <summary>What tracker-train train --out DIR leaves: events.jsonl (1,500 steps of 8 metrics, 3 epochs) and a checkpoint.</summary>
    private static string TrainedOffline(string folder)
    {
        var run = Directory.CreateDirectory(Path.Combine(folder, "offline-run")).FullName;
        var config = new RunConfig
        {
            Name = "trained-offline", Project = "imported", Tags = ["offline"], Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic,
            Epochs = 3, Device = DeviceKind.Cpu, Seed = 7,
        };
        var events = new List<TrainingEvent> { new RunStartedEvent { Seq = 1, Config = config, Device = "cpu", ParameterCount = 1000 } };
        for (var step = 1; step <= 1500; step++)
            events.Add(new StepEvent
            {
                Seq = events.Count + 1, Step = step, Epoch = (step - 1) / 500 + 1,
                Metrics = Enumerable.Range(0, 8).ToDictionary(i => $"m{i}", i => step * 0.001 + i),
            });
        for (var epoch = 1; epoch <= 3; epoch++)
            events.Add(new EpochEvent { Seq = events.Count + 1, Epoch = epoch, Step = epoch * 500, EpochSeconds = 1, Metrics = new Dictionary<string, double> { ["val/acc"] = 70 + epoch } });
        events.Add(new RunFinishedEvent { Seq = events.Count + 1, Status = RunOutcome.Succeeded, Summary = new RunOutcomeSummary { EpochsCompleted = 3 } });
        File.WriteAllLines(Path.Combine(run, "events.jsonl"), events.Select(TrainingEventJson.Serialize));
        File.WriteAllBytes(Path.Combine(run, "checkpoint.bin"), [1, 2, 3, 4]);
        return run;
    }

    [Fact]
    public async Task ImportingAnOfflineRunAgain_StoresItOnce_WithItsConfigAndCheckpoint()
    {
        var (app, token) = await PythonClientTests.StartAppAsync(_folder);
        await using var _ = app;
        var run = TrainedOffline(_folder);

        var first = await ImportAsync(run, app.Address, token);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("Imported 12003 points", first.Output, StringComparison.Ordinal);
        var second = await ImportAsync(run, app.Address, token);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("Already imported", second.Output, StringComparison.Ordinal);
        // Even an import that forgot how far it got (its marker reset) resends batches the server already has: nothing doubles.
        var markerPath = Path.Combine(run, ".tracker-import.json");
        var marker = JsonNode.Parse(File.ReadAllText(markerPath))!;
        marker["ackedSeq"] = 0;
        marker["finished"] = false;
        File.WriteAllText(markerPath, marker.ToJsonString());
        var third = await ImportAsync(run, app.Address, token);
        Assert.True(third.ExitCode == 0, third.Output);
        // An import whose create was stored but whose answer was lost wrote no marker: the next one finds the same run by its key.
        File.Delete(markerPath);
        var fourth = await ImportAsync(run, app.Address, token);
        Assert.True(fourth.ExitCode == 0, fourth.Output);

        using var client = app.CreateClient();
        var runs = (await client.GetFromJsonAsync<JsonNode>("/api/runs?project=imported"))!["items"]!.AsArray();
        var imported = Assert.Single(runs)!;
        var id = imported["id"]!.GetValue<long>();
        Assert.Equal(("trained-offline", "succeeded", true), (imported["name"]!.GetValue<string>(), imported["status"]!.GetValue<string>(), imported["loggedByScript"]!.GetValue<bool>()));
        var metrics = (await client.GetFromJsonAsync<JsonNode>($"/api/runs/{id}/metrics"))!["series"]!.AsArray();
        Assert.Equal(12003, metrics.Sum(s => s!["points"]!.AsArray().Count));
        Assert.Equal([71.0, 72.0, 73.0], metrics.Single(s => s!["key"]!.GetValue<string>() == "val/acc")!["points"]!.AsArray().Select(p => p!["value"]!.GetValue<double>()));
        var detail = (await client.GetFromJsonAsync<JsonNode>($"/api/runs/{id}"))!;
        Assert.Equal((7, "offline"), (detail["config"]!["seed"]!.GetValue<int>(), detail["tags"]![0]!.GetValue<string>()));
        Assert.Null(detail["notQueueable"]); // a tracker-train config is a whole run config: it can be retried
        Assert.Equal([1, 2, 3, 4], await client.GetByteArrayAsync($"/api/runs/{id}/files/checkpoint.bin"));
    }
}
