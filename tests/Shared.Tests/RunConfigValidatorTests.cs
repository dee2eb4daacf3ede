namespace Tracker.Shared.Tests;

public class RunConfigValidatorTests
{
    // A valid base that every test changes in one place, so each failure has one cause.
    private static readonly RunConfig Valid = new() { Name = "run", Model = KnownModels.VitNano, Epochs = 12 };

    private static List<string> Fields(RunConfig config) =>
        RunConfigValidator.Validate(config).Select(e => e.Field).ToList();

    private static FieldError Single(RunConfig config, string field)
    {
        var errors = RunConfigValidator.Validate(config);
        return Assert.Single(errors, e => e.Field == field);
    }

    private static DropSettings Drop(double rate, DropMode mode, int? cutoff, DropSchedule schedule = DropSchedule.Constant) =>
        new() { Rate = rate, Mode = mode, CutoffEpoch = cutoff, Schedule = schedule };

    [Fact]
    public void DefaultConfig_IsValid() => Assert.Empty(RunConfigValidator.Validate(new RunConfig()));

    [Fact]
    public void BaseConfig_IsValid() => Assert.Empty(RunConfigValidator.Validate(Valid));

    [Fact]
    public void EveryPreset_OnAResidualModel_IsValid()
    {
        foreach (var label in Methods.All)
        {
            Assert.Empty(RunConfigValidator.Validate(MethodPresets.Apply(label, Valid)));
        }
    }

    // ---- identity ----

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void EmptyName_IsRejected(string name) =>
        Assert.Equal("Give the run a name.", Single(Valid with { Name = name }, "name").Message);

    [Fact]
    public void NameOver200Characters_IsRejected_200IsAccepted()
    {
        Assert.Contains("name", Fields(Valid with { Name = new string('x', 201) }));
        Assert.DoesNotContain("name", Fields(Valid with { Name = new string('x', 200) }));
    }

    [Fact]
    public void EmptyProject_IsRejected() => Assert.Contains("project", Fields(Valid with { Project = "" }));

    [Fact]
    public void EmptyTag_IsRejectedNamingItsIndex()
    {
        Assert.Contains("tags[1]", Fields(Valid with { Tags = ["ok", " "] }));
        Assert.Empty(Fields(Valid with { Tags = ["ok", "fine"] }));
    }

    // ---- model and data ----

    [Fact]
    public void UnknownModel_IsRejectedListingKnownOnes()
    {
        var error = Single(Valid with { Model = "resnet" }, "model");

        Assert.Contains("'resnet'", error.Message);
        Assert.Contains("vit-tiny", error.Message);
    }

    [Fact]
    public void EveryKnownModel_IsAccepted()
    {
        foreach (var model in KnownModels.All)
        {
            Assert.DoesNotContain("model", Fields(Valid with { Model = model }));
        }
    }

    [Fact]
    public void UnknownDataset_IsRejected()
    {
        Assert.Contains("dataset", Fields(Valid with { Dataset = "imagenet" }));
        Assert.DoesNotContain("dataset", Fields(Valid with { Dataset = KnownDatasets.Cifar100 }));
    }

    [Fact]
    public void NpzDataset_WithoutPath_IsRejectedNamingDatasetPath()
    {
        Assert.Contains("datasetPath", Fields(Valid with { Dataset = KnownDatasets.Npz }));
        Assert.Empty(Fields(Valid with { Dataset = KnownDatasets.Npz, DatasetPath = "/data/x.npz" }));
    }

    [Fact]
    public void TrainSubsetBelowOne_IsRejected()
    {
        Assert.Contains("trainSubset", Fields(Valid with { TrainSubset = 0 }));
        Assert.Empty(Fields(Valid with { TrainSubset = 1 }));
    }

    [Fact]
    public void MaxStepsPerEpochBelowOne_IsRejected()
    {
        Assert.Contains("maxStepsPerEpoch", Fields(Valid with { MaxStepsPerEpoch = 0 }));
        Assert.Empty(Fields(Valid with { MaxStepsPerEpoch = 3 }));
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0, false)] // only at the end of each epoch
    [InlineData(1, false)]
    [InlineData(RunConfigValidator.MaxStepEventEvery, false)]
    [InlineData(RunConfigValidator.MaxStepEventEvery + 1, true)]
    public void StepEventEvery_IsBetweenZeroAndItsBound(int every, bool rejected)
    {
        var fields = Fields(Valid with { StepEventEvery = every });
        Assert.Equal(rejected, fields.Contains("stepEventEvery"));
        Assert.Equal(rejected ? 1 : 0, fields.Count);
    }

    [Fact]
    public void StepEventEvery_Defaults_ToTheEngineDefault_WhenAStoredConfigHasNone()
    {
        var parsed = RunConfigJson.Parse("""{"name":"old","model":"mlp","dataset":"fashion-mnist"}""");
        Assert.Equal(RunConfig.DefaultStepEventEvery, parsed.StepEventEvery);
    }

    // ---- optimisation ----

    [Theory]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    [InlineData(1, true)]
    public void Epochs_MustBePositive(int epochs, bool ok) =>
        Assert.Equal(ok, !Fields(Valid with { Epochs = epochs, Model = KnownModels.Mlp }).Contains("epochs"));

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void BatchSize_MustBePositive(int batchSize, bool ok) =>
        Assert.Equal(ok, !Fields(Valid with { BatchSize = batchSize }).Contains("batchSize"));

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(-1e-3, false)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    [InlineData(1e-4, true)]
    public void Lr_MustBePositiveAndFinite(double lr, bool ok) =>
        Assert.Equal(ok, !Fields(Valid with { Lr = lr }).Contains("lr"));

    [Theory]
    [InlineData(-0.1, false)]
    [InlineData(1.0, false)]
    [InlineData(0.0, true)]
    [InlineData(0.99, true)]
    public void Momentum_MustBeInZeroToOne(double momentum, bool ok) =>
        Assert.Equal(ok, !Fields(Valid with { Momentum = momentum }).Contains("momentum"));

    [Theory]
    [InlineData(-0.01, false)]
    [InlineData(0.0, true)]
    [InlineData(0.05, true)]
    public void WeightDecay_CannotBeNegative(double weightDecay, bool ok) =>
        Assert.Equal(ok, !Fields(Valid with { WeightDecay = weightDecay }).Contains("weightDecay"));

    [Theory]
    [InlineData(12, false)]
    [InlineData(13, false)]
    [InlineData(-1, false)]
    [InlineData(11, true)]
    [InlineData(0, true)]
    public void WarmupEpochs_MustBeShorterThanTheRun(int warmup, bool ok) =>
        Assert.Equal(ok, !Fields(Valid with { WarmupEpochs = warmup }).Contains("warmupEpochs"));

    [Theory]
    [InlineData(1.0, false)]
    [InlineData(-0.1, false)]
    [InlineData(0.1, true)]
    public void LabelSmoothing_MustBeInZeroToOne(double smoothing, bool ok) =>
        Assert.Equal(ok, !Fields(Valid with { LabelSmoothing = smoothing }).Contains("labelSmoothing"));

    [Fact]
    public void GradClip_WhenSet_MustBePositive()
    {
        Assert.Contains("gradClip", Fields(Valid with { GradClip = 0 }));
        Assert.Empty(Fields(Valid with { GradClip = 1.0 }));
        Assert.Empty(Fields(Valid with { GradClip = null }));
    }

    [Fact]
    public void NegativeSeed_IsRejected()
    {
        Assert.Contains("seed", Fields(Valid with { Seed = -1 }));
        Assert.Empty(Fields(Valid with { Seed = 12345 }));
    }

    // ---- dropout and stochastic depth ----

    [Theory]
    [InlineData(-0.1, false)]
    [InlineData(1.0, false)]
    [InlineData(double.NaN, false)]
    [InlineData(0.0, true)]
    [InlineData(0.9, true)]
    public void DropoutRate_MustBeInZeroToOne(double rate, bool ok) =>
        Assert.Equal(ok, !Fields(Valid with { Dropout = new DropSettings { Rate = rate } }).Contains("dropout.rate"));

    [Fact]
    public void DropPathRate_OutOfRange_IsRejectedNamingDropPath() =>
        Assert.Contains("dropPath.rate", Fields(Valid with { DropPath = new DropSettings { Rate = 1.0 } }));

    [Fact]
    public void EarlyMode_WithoutCutoff_IsRejectedNamingTheField()
    {
        var error = Single(Valid with { Dropout = Drop(0.1, DropMode.Early, null) }, "dropout.cutoffEpoch");

        Assert.Equal("Choose the cutoff epoch for early dropout.", error.Message);
    }

    [Fact]
    public void LateMode_WithoutCutoff_IsRejectedNamingTheField() =>
        Assert.Contains("dropPath.cutoffEpoch", Fields(Valid with { DropPath = Drop(0.2, DropMode.Late, null) }));

    [Theory]
    [InlineData(0, false)]
    [InlineData(13, false)]
    [InlineData(1, true)]
    [InlineData(12, true)]
    public void EarlyCutoff_MustBeWithinTheEpochs(int cutoff, bool ok) =>
        Assert.Equal(ok, !Fields(Valid with { Dropout = Drop(0.1, DropMode.Early, cutoff) }).Contains("dropout.cutoffEpoch"));

    [Theory]
    [InlineData(0, false)]
    [InlineData(12, false)]
    [InlineData(1, true)]
    [InlineData(11, true)]
    public void LateCutoff_MustLeaveEpochsAfterIt(int cutoff, bool ok) =>
        Assert.Equal(ok, !Fields(Valid with { DropPath = Drop(0.2, DropMode.Late, cutoff) }).Contains("dropPath.cutoffEpoch"));

    [Theory]
    [InlineData(DropMode.Early)]
    [InlineData(DropMode.Late)]
    public void EarlyOrLateMode_WithZeroRate_IsRejected(DropMode mode)
    {
        var error = Single(Valid with { Dropout = Drop(0, mode, 2) }, "dropout.rate");

        Assert.Contains("above 0", error.Message);
    }

    [Fact]
    public void StandardMode_IgnoresALeftoverCutoff() =>
        Assert.Empty(Fields(Valid with { Dropout = Drop(0.1, DropMode.Standard, 99) }));

    [Fact]
    public void LateMode_WithLinearSchedule_IsRejectedWithAClearMessage()
    {
        var error = Single(Valid with { DropPath = Drop(0.2, DropMode.Late, 4, DropSchedule.Linear) }, "dropPath.schedule");

        Assert.Equal("Late stochastic depth only supports a constant schedule; a linear schedule is for early stochastic depth.", error.Message);
    }

    [Fact]
    public void StandardMode_WithLinearSchedule_IsRejected() =>
        Assert.Contains("dropout.schedule", Fields(Valid with { Dropout = Drop(0.1, DropMode.Standard, null, DropSchedule.Linear) }));

    [Fact]
    public void EarlyMode_WithLinearSchedule_IsAccepted() =>
        Assert.Empty(Fields(Valid with { Dropout = Drop(0.1, DropMode.Early, 2, DropSchedule.Linear) }));

    [Fact]
    public void StochasticDepth_OnAModelWithoutResidualBlocks_IsRejected()
    {
        Assert.Contains("dropPath.rate", Fields(Valid with { Model = KnownModels.Mlp, DropPath = new DropSettings { Rate = 0.1 } }));
        Assert.Empty(Fields(Valid with { Model = KnownModels.Mixer, DropPath = new DropSettings { Rate = 0.1 } }));
    }

    // ---- R-Drop, DropConnect, L1, L2 ----

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(-1.0, false)]
    [InlineData(0.5, true)]
    public void RDropAlpha_MustBePositive(double alpha, bool ok)
    {
        var config = Valid with { Dropout = new DropSettings { Rate = 0.1 }, RDrop = new RDropSettings { Alpha = alpha } };

        Assert.Equal(ok, !Fields(config).Contains("rDrop.alpha"));
    }

    [Fact]
    public void RDrop_WithoutAnyDropRate_IsRejected()
    {
        Assert.Contains("rDrop", Fields(Valid with { RDrop = new RDropSettings() }));
        Assert.Empty(Fields(Valid with { RDrop = new RDropSettings(), DropPath = new DropSettings { Rate = 0.1 } }));
    }

    [Fact]
    public void RDrop_TogetherWithDropConnect_IsRejectedAsUndefinedByThePaper()
    {
        var config = Valid with
        {
            Dropout = new DropSettings { Rate = 0.1 },
            RDrop = new RDropSettings(),
            DropConnect = new DropConnectSettings(),
        };

        var error = Single(config, "rDrop");

        Assert.Contains("not a method the paper defines", error.Message);
    }

    [Theory]
    [InlineData(1.0, false)]
    [InlineData(-0.1, false)]
    [InlineData(0.0, true)]
    [InlineData(0.5, true)]
    public void DropConnectRate_MustBeInZeroToOne(double rate, bool ok) =>
        Assert.Equal(ok, !Fields(Valid with { DropConnect = new DropConnectSettings { Rate = rate } }).Contains("dropConnect.rate"));

    [Fact]
    public void GaussianDropConnect_NeedsAtLeastOneSample()
    {
        Assert.Contains("dropConnect.samples", Fields(Valid with { DropConnect = new DropConnectSettings { Samples = 0 } }));
        Assert.Empty(Fields(Valid with { DropConnect = new DropConnectSettings { Samples = 1 } }));
        // The mean rule takes no samples.
        Assert.Empty(Fields(Valid with { DropConnect = new DropConnectSettings { Inference = DropConnectInference.Mean, Samples = 0 } }));
    }

    [Fact]
    public void NegativeL1_IsRejected()
    {
        Assert.Contains("l1", Fields(Valid with { L1 = -1e-5 }));
        Assert.Empty(Fields(Valid with { L1 = 1e-5 }));
    }

    [Fact]
    public void NegativeL2_IsRejected()
    {
        Assert.Contains("l2", Fields(Valid with { L2 = -1e-4 }));
        Assert.Empty(Fields(Valid with { L2 = 1e-4 }));
    }

    // ---- early stopping and analysis ----

    [Fact]
    public void EarlyStopping_OnAnUnknownMetric_IsRejected()
    {
        Assert.Contains("earlyStopping.metric", Fields(Valid with { EarlyStopping = new EarlyStoppingSettings { Metric = MetricKeys.GradNorm } }));
        Assert.Contains("earlyStopping.metric", Fields(Valid with { EarlyStopping = new EarlyStoppingSettings { Metric = "val/los" } }));
    }

    [Fact]
    public void EarlyStopping_OnEveryTrainAndValMetric_IsAccepted()
    {
        foreach (var key in MetricKeys.Monitorable)
        {
            var mode = key.Contains("acc") ? MetricMode.Max : MetricMode.Min;
            Assert.Empty(Fields(Valid with { EarlyStopping = new EarlyStoppingSettings { Metric = key, Mode = mode } }));
        }
    }

    [Fact]
    public void EarlyStopping_OnAccuracyWithMinMode_IsRejected()
    {
        var error = Single(Valid with { EarlyStopping = new EarlyStoppingSettings { Metric = MetricKeys.ValAcc, Mode = MetricMode.Min } }, "earlyStopping.mode");

        Assert.Contains("'max'", error.Message);
    }

    [Fact]
    public void EarlyStopping_PatienceBelowOne_IsRejected()
    {
        Assert.Contains("earlyStopping.patience", Fields(Valid with { EarlyStopping = new EarlyStoppingSettings { Patience = 0 } }));
        Assert.Empty(Fields(Valid with { EarlyStopping = new EarlyStoppingSettings { Patience = 1 } }));
    }

    [Fact]
    public void AnalysisInterval_CannotBeNegative_ZeroTurnsItOff()
    {
        Assert.Contains("analysis.everySteps", Fields(Valid with { Analysis = new AnalysisSettings { EverySteps = -1 } }));
        Assert.Empty(Fields(Valid with { Analysis = new AnalysisSettings { EverySteps = 0 } }));
    }

    [Fact]
    public void GradientAnalysis_NeedsTwoMiniBatchesAndAWholeSet()
    {
        var fields = Fields(Valid with { Analysis = new AnalysisSettings { Gradients = true, GradientSamples = 1, WholeSetSamples = 0 } });

        Assert.Contains("analysis.gradientSamples", fields);
        Assert.Contains("analysis.wholeSetSamples", fields);
        Assert.Empty(Fields(Valid with { Analysis = new AnalysisSettings { Gradients = true, GradientSamples = 2, WholeSetSamples = 1 } }));
    }

    [Fact]
    public void SeveralProblems_AreAllReported()
    {
        var fields = Fields(Valid with { Name = "", Epochs = 0, BatchSize = 0 });

        Assert.Equal(["name", "epochs", "batchSize"], fields);
    }
}
