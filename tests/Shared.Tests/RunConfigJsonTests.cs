using System.Text.Json;

namespace Tracker.Shared.Tests;

public class RunConfigJsonTests
{
    private static RunConfig FullConfig() => new()
    {
        Name = "vit early dropout",
        Project = "paper",
        Tags = ["vit", "early"],
        Model = KnownModels.VitTiny,
        Dataset = KnownDatasets.Cifar10,
        DatasetPath = "/data/cifar10",
        Epochs = 30,
        BatchSize = 256,
        Optimizer = OptimizerKind.Sgd,
        Lr = 0.05,
        Momentum = 0.8,
        WeightDecay = 0.01,
        WarmupEpochs = 2,
        LabelSmoothing = 0.1,
        GradClip = 1.5,
        Seed = 7,
        Device = DeviceKind.Cuda,
        Dropout = new DropSettings { Rate = 0.1, Mode = DropMode.Early, Schedule = DropSchedule.Linear, CutoffEpoch = 5 },
        DropPath = new DropSettings { Rate = 0.2, Mode = DropMode.Late, CutoffEpoch = 10 },
        RDrop = new RDropSettings { Alpha = 0.5 },
        L1 = 1e-5,
        L2 = 1e-4,
        EarlyStopping = new EarlyStoppingSettings { Metric = MetricKeys.ValAcc, Patience = 3, Mode = MetricMode.Max },
        Analysis = new AnalysisSettings { EverySteps = 20, Gradients = true, GradientSamples = 4, WholeSetSamples = 512 },
        StepEventEvery = 25,
        TrainSubset = 1000,
        MaxStepsPerEpoch = 50,
        Augment = true,
        ParentRunId = "run-42",
    };

    [Fact]
    public void RoundTrip_KeepsEveryField()
    {
        var config = FullConfig();

        var json = RunConfigJson.Serialize(config);
        var back = RunConfigJson.Parse(json);

        // Records compare lists by reference, so compare the JSON of both instead.
        Assert.Equal(json, RunConfigJson.Serialize(back));
        Assert.Equal(["vit", "early"], back.Tags);
        Assert.Equal(DropMode.Early, back.Dropout.Mode);
        Assert.Equal(5, back.Dropout.CutoffEpoch);
        Assert.Equal(0.5, back.RDrop!.Alpha);
    }

    [Fact]
    public void RoundTrip_WithDropConnect_KeepsItsSettings()
    {
        var config = new RunConfig { DropConnect = new DropConnectSettings { Rate = 0.3, Inference = DropConnectInference.Mean, Samples = 4 } };

        var back = RunConfigJson.Parse(RunConfigJson.Serialize(config));

        Assert.Equal(config.DropConnect, back.DropConnect);
    }

    [Fact]
    public void Serialize_UsesCamelCaseNamesAndEnumStrings()
    {
        using var doc = JsonDocument.Parse(RunConfigJson.Serialize(FullConfig()));
        var root = doc.RootElement;

        Assert.Equal(256, root.GetProperty("batchSize").GetInt32());
        Assert.Equal("sgd", root.GetProperty("optimizer").GetString());
        Assert.Equal("cuda", root.GetProperty("device").GetString());
        Assert.Equal("early", root.GetProperty("dropout").GetProperty("mode").GetString());
        Assert.Equal("linear", root.GetProperty("dropout").GetProperty("schedule").GetString());
        Assert.Equal(5, root.GetProperty("dropout").GetProperty("cutoffEpoch").GetInt32());
        Assert.Equal("late", root.GetProperty("dropPath").GetProperty("mode").GetString());
        Assert.Equal(0.5, root.GetProperty("rDrop").GetProperty("alpha").GetDouble());
        Assert.Equal("max", root.GetProperty("earlyStopping").GetProperty("mode").GetString());
        Assert.Equal(20, root.GetProperty("analysis").GetProperty("everySteps").GetInt32());
        Assert.Equal("run-42", root.GetProperty("parentRunId").GetString());
    }

    [Fact]
    public void Serialize_WritesAdamWAsLowercaseAdamw()
    {
        var json = RunConfigJson.Serialize(new RunConfig());

        Assert.Contains("\"optimizer\":\"adamw\"", json);
        Assert.Contains("\"device\":\"auto\"", json);
    }

    [Fact]
    public void Serialize_OmitsOptionalSectionsThatAreOff()
    {
        var json = RunConfigJson.Serialize(new RunConfig());

        Assert.DoesNotContain("rDrop", json);
        Assert.DoesNotContain("dropConnect", json);
        Assert.DoesNotContain("earlyStopping", json);
        Assert.DoesNotContain("gradClip", json);
    }

    [Fact]
    public void Serialize_Indented_SpansSeveralLines_Compact_IsOneLine()
    {
        Assert.Contains('\n', RunConfigJson.Serialize(new RunConfig(), indented: true));
        Assert.DoesNotContain('\n', RunConfigJson.Serialize(new RunConfig()));
    }

    [Fact]
    public void EnumsSerializeAsStrings_EvenWithDefaultSerializerOptions()
    {
        // SignalR and minimal APIs use their own options; the wire format must not change there.
        var json = JsonSerializer.Serialize(new RunConfig { Optimizer = OptimizerKind.Sgd });

        Assert.Contains("\"Optimizer\":\"sgd\"", json);
    }

    [Fact]
    public void Parse_EmptyObject_GivesDefaults()
    {
        var config = RunConfigJson.Parse("{}");

        Assert.Equal(OptimizerKind.AdamW, config.Optimizer);
        Assert.Equal(1e-3, config.Lr);
        Assert.Equal(128, config.BatchSize);
        Assert.Equal(10, config.Epochs);
        Assert.Equal(0, config.Seed);
        Assert.Equal(DeviceKind.Auto, config.Device);
        Assert.Equal(0, config.Dropout.Rate);
        Assert.Equal(DropMode.Standard, config.Dropout.Mode);
        Assert.Null(config.RDrop);
        Assert.Null(config.DropConnect);
        Assert.Empty(RunConfigValidator.Validate(config));
    }

    [Fact]
    public void Parse_AcceptsCommentsTrailingCommasAndEnumCase()
    {
        var config = RunConfigJson.Parse("""
            {
              // hand-written
              "optimizer": "SGD",
              "dropout": { "rate": 0.1, "mode": "Early", "cutoffEpoch": 2, },
            }
            """);

        Assert.Equal(OptimizerKind.Sgd, config.Optimizer);
        Assert.Equal(DropMode.Early, config.Dropout.Mode);
    }

    [Fact]
    public void Parse_UnknownEnumString_NamesFieldAndAllowedValues()
    {
        var ex = Assert.Throws<FormatException>(() => RunConfigJson.Parse("""{"dropout": {"mode": "erly"}}"""));

        Assert.Contains("'dropout.mode'", ex.Message);
        Assert.Contains("'erly' is not a valid value", ex.Message);
        Assert.Contains("'standard', 'early', 'late'", ex.Message);
        Assert.DoesNotContain("Tracker.Shared", ex.Message);
    }

    [Fact]
    public void Parse_EnumAsNumber_IsRejected()
    {
        var ok = RunConfigJson.TryParse("""{"optimizer": 1}""", out _, out var error);

        Assert.False(ok);
        Assert.Contains("'optimizer'", error);
        Assert.Contains("'adamw', 'sgd'", error);
    }

    [Fact]
    public void Parse_MalformedJson_GivesLineAndNoStackTrace()
    {
        var ok = RunConfigJson.TryParse("{\n  \"epochs\": 5,\n  \"lr\": \n}", out var config, out var error);

        Assert.False(ok);
        Assert.Null(config);
        Assert.StartsWith("Invalid run config:", error);
        Assert.Contains("line 4", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Parse_WrongValueType_SaysWhatWasExpected()
    {
        var ex = Assert.Throws<FormatException>(() => RunConfigJson.Parse("""{"epochs": "ten"}"""));

        Assert.Contains("'epochs'", ex.Message);
        Assert.Contains("expected a whole number", ex.Message);
    }

    [Fact]
    public void Parse_MisspelledField_IsRejectedNamingIt()
    {
        var ex = Assert.Throws<FormatException>(() => RunConfigJson.Parse("""{"epoch": 5}"""));

        Assert.Contains("unknown field 'epoch'", ex.Message);
    }

    [Fact]
    public void Parse_NullForRequiredSection_IsRejected()
    {
        var ex = Assert.Throws<FormatException>(() => RunConfigJson.Parse("""{"dropout": null}"""));

        Assert.Contains("dropout", ex.Message);
        Assert.Contains("must not be null", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("null")]
    [InlineData("[]")]
    public void Parse_NotAnObject_GivesClearError(string json)
    {
        var ok = RunConfigJson.TryParse(json, out _, out var error);

        Assert.False(ok);
        Assert.StartsWith("Invalid run config", error);
    }
}
