using Tracker.Training.Engine;
using Tracker.Training.Processes;

namespace Tracker.Training.Tests.Processes;

public class TrainingProcessCommandLineTests
{
    private static IReadOnlyList<string> CommandLine(TrainerOptions trainer) =>
        new TrainingProcess(new TrainingProcessOptions("/opt/tracker/tracker-train.dll", 5)).CommandLine("/tmp/run-config.json", trainer, cancelOnStdinClose: true);

    [Fact]
    public void WithoutAnOverride_TheChildTakesTheStepEventIntervalFromTheConfigFile()
    {
        var command = CommandLine(new TrainerOptions { OutputDirectory = "/tmp/out" });

        Assert.DoesNotContain("--step-every", command);
        Assert.Equal("/tmp/run-config.json", command[command.ToList().IndexOf("--config") + 1]);
    }

    [Fact]
    public void AnOverride_IsPassedAsStepEvery()
    {
        var command = CommandLine(new TrainerOptions { OutputDirectory = "/tmp/out", StepEventEvery = 7 }).ToList();

        Assert.Equal("7", command[command.IndexOf("--step-every") + 1]);
    }
}
