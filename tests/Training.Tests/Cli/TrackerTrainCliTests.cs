using System.Diagnostics;
using System.Text.Json;
using Tracker.Shared;

namespace Tracker.Training.Tests.Cli;

/// <summary>Runs the real tracker-train executable as a user would.</summary>
public sealed class TrackerTrainCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("trk-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int ExitCode, string Out, string Error) RunCli(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tracker-train.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) process.Kill(entireProcessTree: true);
        return (process.ExitCode, output.Result, error.Result);
    }

    private string WriteConfig(string json)
    {
        var path = Path.Combine(_folder, "run.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Train_StreamsOneJsonEventPerLine_FromStartedToFinished()
    {
        var config = WriteConfig("""
            {"name": "cli", "model": "vit-nano", "dataset": "synthetic", "epochs": 2, "batchSize": 32,
             "trainSubset": 64, "maxStepsPerEpoch": 2, "seed": 1, "device": "cpu",
             "dropout": {"rate": 0.1, "mode": "early", "schedule": "linear", "cutoffEpoch": 1},
             "analysis": {"everySteps": 2}}
            """);
        var (exitCode, output, error) = RunCli("train", "--config", config, "--out", Path.Combine(_folder, "out"), "--step-every", "1");

        Assert.True(exitCode == 0, error);
        var events = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(TrainingEventJson.Deserialize).ToList();
        Assert.IsType<RunStartedEvent>(events[0]);
        Assert.Equal(2, events.OfType<EpochEvent>().Count());
        Assert.Equal(4, events.OfType<StepEvent>().Count());
        Assert.NotEmpty(events.OfType<AnalysisEvent>());
        Assert.Equal(2, events.OfType<CheckpointEvent>().Count());
        var finished = Assert.IsType<RunFinishedEvent>(events[^1]);
        Assert.Equal(RunOutcome.Succeeded, finished.Status);
        Assert.True(File.Exists(Path.Combine(_folder, "out", "checkpoint.bin")));
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind);
    }

    [Fact]
    public void Train_TakesTheStepEventIntervalFromTheConfig_UnlessTheCommandLineOverridesIt()
    {
        var config = WriteConfig("""
            {"name": "cli-every", "model": "mlp", "dataset": "synthetic", "epochs": 1, "batchSize": 32,
             "trainSubset": 256, "maxStepsPerEpoch": 6, "seed": 1, "device": "cpu", "stepEventEvery": 3,
             "analysis": {"everySteps": 0}}
            """);
        List<long> StepsOf(string output) =>
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(TrainingEventJson.Deserialize).OfType<StepEvent>().Select(e => e.Step).ToList();

        var (fromConfig, output, error) = RunCli("train", "--config", config, "--out", Path.Combine(_folder, "from-config"), "--system-metrics-every", "0");
        Assert.True(fromConfig == 0, error);
        Assert.Equal([3L, 6L], StepsOf(output));

        var (overridden, overriddenOutput, overriddenError) = RunCli("train", "--config", config, "--out", Path.Combine(_folder, "overridden"), "--system-metrics-every", "0", "--step-every", "2");
        Assert.True(overridden == 0, overriddenError);
        Assert.Equal([2L, 4L, 6L], StepsOf(overriddenOutput));
    }

    [Fact]
    public void Train_ReportsSystemMetricsOnTheGivenInterval_AndNoneWhenItIsZero()
    {
        var config = WriteConfig("""
            {"name": "cli", "model": "mlp", "dataset": "synthetic", "epochs": 1, "batchSize": 32,
             "trainSubset": 64, "maxStepsPerEpoch": 2, "seed": 1, "device": "cpu"}
            """);
        List<TrainingEvent> Train(string folder, string every)
        {
            var (exitCode, output, error) = RunCli("train", "--config", config, "--out", Path.Combine(_folder, folder), "--system-metrics-every", every);
            Assert.True(exitCode == 0, error);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(TrainingEventJson.Deserialize).ToList();
        }

        var sampled = Train("often", "0.001").OfType<AnalysisEvent>().Where(e => e.Metrics.ContainsKey(MetricKeys.RssMb)).ToList();
        Assert.NotEmpty(sampled);
        Assert.All(sampled, e => Assert.InRange(e.Step, 1, 2));
        Assert.DoesNotContain(Train("never", "0").OfType<AnalysisEvent>(), e => e.Metrics.Keys.Any(k => k.StartsWith(MetricKeys.SystemPrefix, StringComparison.Ordinal)));
    }

    [Fact]
    public void InvalidConfig_ExitsWithCode2AndFieldLevelMessages()
    {
        var config = WriteConfig("""{"name": "bad", "epochs": 0, "dropout": {"rate": 1.5}}""");
        var (exitCode, output, error) = RunCli("train", "--config", config);
        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("epochs:", error);
        Assert.Contains("dropout.rate:", error);
    }

    [Fact]
    public void MalformedJson_ExitsWithCode2AndSaysWhere()
    {
        var config = WriteConfig("""{"name": "bad", "dropout": {"mode": "erly"}}""");
        var (exitCode, _, error) = RunCli("train", "--config", config);
        Assert.Equal(2, exitCode);
        Assert.Contains("dropout.mode", error);
    }

    [Fact]
    public void Help_ListsEveryOption()
    {
        var (exitCode, output, _) = RunCli("train", "--help");
        Assert.Equal(0, exitCode);
        foreach (var option in new[] { "--config", "--out", "--run-id", "--step-every", "--threads", "--init-weights" })
            Assert.Contains(option, output);
    }
}
