using System.Text.Json;

namespace Tracker.Shared.Tests;

public class TrainingEventJsonTests
{
    private static readonly DateTimeOffset At = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static T RoundTrip<T>(T e) where T : TrainingEvent
    {
        var line = TrainingEventJson.Serialize(e);
        Assert.DoesNotContain('\n', line);
        return Assert.IsType<T>(TrainingEventJson.Deserialize(line));
    }

    private static string TypeOf(TrainingEvent e)
    {
        using var doc = JsonDocument.Parse(TrainingEventJson.Serialize(e));
        return doc.RootElement.GetProperty("type").GetString()!;
    }

    [Fact]
    public void RunStarted_RoundTripsWithItsConfig()
    {
        var e = new RunStartedEvent
        {
            Time = At,
            RunId = 41,
            Config = new RunConfig { Name = "x", Dropout = new DropSettings { Rate = 0.1, Mode = DropMode.Early, CutoffEpoch = 2 } },
            Device = "cpu",
            ParameterCount = 123_456_789_012,
        };

        var back = RoundTrip(e);

        Assert.Equal("run-started", TypeOf(e));
        Assert.Equal(41, back.RunId);
        Assert.Equal("cpu", back.Device);
        Assert.Equal(123_456_789_012, back.ParameterCount);
        Assert.Equal(At, back.Time);
        Assert.Equal(e.Config.Dropout, back.Config.Dropout);
    }

    [Fact]
    public void Step_RoundTripsWithMetricKeysAsWritten()
    {
        var e = new StepEvent
        {
            Time = At,
            Step = 40,
            Epoch = 1,
            Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 2.3, [MetricKeys.DropoutRate] = 0.05 },
        };

        var line = TrainingEventJson.Serialize(e);
        var back = RoundTrip(e);

        Assert.StartsWith("{\"type\":\"step\"", line);
        Assert.Contains("\"train/loss\":2.3", line);
        Assert.Equal(40, back.Step);
        Assert.Equal(0.05, back.Metrics[MetricKeys.DropoutRate]);
    }

    [Fact]
    public void Epoch_RoundTrips()
    {
        var e = new EpochEvent { Time = At, Epoch = 3, Step = 300, EpochSeconds = 12.5, Metrics = new Dictionary<string, double> { [MetricKeys.ValAcc] = 0.91 } };

        var back = RoundTrip(e);

        Assert.Equal("epoch", TypeOf(e));
        Assert.Equal((3, 300L, 12.5), (back.Epoch, back.Step, back.EpochSeconds));
        Assert.Equal(0.91, back.Metrics[MetricKeys.ValAcc]);
    }

    [Fact]
    public void Analysis_RoundTrips()
    {
        var e = new AnalysisEvent { Time = At, Step = 100, Epoch = 2, Metrics = new Dictionary<string, double> { [MetricKeys.GradDirError] = 0.4 } };

        var back = RoundTrip(e);

        Assert.Equal("analysis", TypeOf(e));
        Assert.Equal(0.4, back.Metrics[MetricKeys.GradDirError]);
    }

    [Fact]
    public void Checkpoint_RoundTrips()
    {
        var e = new CheckpointEvent { Time = At, Epoch = 2, Step = 200, Path = "runs/r1/epoch-2.ckpt" };

        Assert.Equal("checkpoint", TypeOf(e));
        Assert.Equal(e, RoundTrip(e));
    }

    [Fact]
    public void RunFinished_RoundTripsStatusAsStringAndSummary()
    {
        var e = new RunFinishedEvent
        {
            Time = At,
            Status = RunOutcome.Diverged,
            Summary = new RunOutcomeSummary
            {
                FinalMetrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = double.NaN },
                BestMetrics = new Dictionary<string, double> { [MetricKeys.ValAcc] = 0.5 },
                BestEpoch = 1,
                EpochsCompleted = 2,
                Steps = 20,
                Error = "loss is NaN",
            },
        };

        var line = TrainingEventJson.Serialize(e);
        var back = RoundTrip(e);

        Assert.Contains("\"type\":\"run-finished\"", line);
        Assert.Contains("\"status\":\"diverged\"", line);
        Assert.Equal(RunOutcome.Diverged, back.Status);
        Assert.True(double.IsNaN(back.Summary.FinalMetrics[MetricKeys.TrainLoss]));
        Assert.Equal(2, back.Summary.EpochsCompleted);
        Assert.Equal("loss is NaN", back.Summary.Error);
    }

    [Fact]
    public void NaNMetrics_SerializeEvenUnderDefaultOptions()
    {
        // SignalR uses its own serializer options; a diverging run must not break the push.
        var e = new StepEvent { Step = 1, Epoch = 1, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = double.PositiveInfinity } };

        var json = JsonSerializer.Serialize<TrainingEvent>(e);

        Assert.Contains("\"Infinity\"", json);
    }

    [Fact]
    public void TypeNeedNotComeFirst()
    {
        var e = TrainingEventJson.Deserialize("""{"step":5,"epoch":1,"metrics":{"lr":0.001},"type":"step"}""");

        Assert.Equal(5, Assert.IsType<StepEvent>(e).Step);
    }

    [Fact]
    public void MissingType_GivesClearError()
    {
        var ok = TrainingEventJson.TryDeserialize("""{"step":5}""", out _, out var error);

        Assert.False(ok);
        Assert.Contains("missing 'type'", error);
    }

    [Fact]
    public void UnknownType_ListsTheKnownOnes()
    {
        var ex = Assert.Throws<FormatException>(() => TrainingEventJson.Deserialize("""{"type":"stepp","step":5}"""));

        Assert.Contains("unknown type 'stepp'", ex.Message);
        Assert.Contains("run-finished", ex.Message);
    }

    [Fact]
    public void MissingRequiredField_IsNamed()
    {
        var ex = Assert.Throws<FormatException>(() => TrainingEventJson.Deserialize("""{"type":"step","step":5,"epoch":1}"""));

        Assert.Contains("'metrics'", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"type\":\"step\",")]
    [InlineData("null")]
    public void MalformedLine_GivesClearError(string line)
    {
        var ok = TrainingEventJson.TryDeserialize(line, out var e, out var error);

        Assert.False(ok);
        Assert.Null(e);
        Assert.StartsWith("Invalid training event", error);
    }
}
