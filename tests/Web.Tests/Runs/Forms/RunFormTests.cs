using System.Text.Json.Nodes;
using Tracker.Shared;
using Tracker.Web.Features.Runs.Forms;

namespace Tracker.Web.Tests.Runs.Forms;

public class RunFormTests
{
    /// <summary>A config in which every field differs from the default, so a field the form forgets shows up.</summary>
    private static readonly RunConfig Full = new()
    {
        Name = "full",
        Project = "vision",
        Tags = ["paper", "table-1"],
        Model = KnownModels.VitNano,
        Dataset = KnownDatasets.Npz,
        DatasetPath = "/data/cifar.npz",
        Epochs = 30,
        BatchSize = 64,
        Optimizer = OptimizerKind.Sgd,
        Lr = 0.05,
        Momentum = 0.8,
        WeightDecay = 0.01,
        WarmupEpochs = 2,
        LabelSmoothing = 0.1,
        GradClip = 1.5,
        Seed = 7,
        Device = DeviceKind.Cpu,
        Dropout = new DropSettings { Rate = 0.2, Mode = DropMode.Early, Schedule = DropSchedule.Linear, CutoffEpoch = 5 },
        DropPath = new DropSettings { Rate = 0.3, Mode = DropMode.Late, Schedule = DropSchedule.Linear, CutoffEpoch = 10 },
        RDrop = new RDropSettings { Alpha = 2 },
        DropConnect = new DropConnectSettings { Rate = 0.3, Inference = DropConnectInference.Mean, Samples = 4 },
        L1 = 1e-5,
        L2 = 1e-4,
        EarlyStopping = new EarlyStoppingSettings { Metric = MetricKeys.ValAcc, Patience = 3, Mode = MetricMode.Max },
        Analysis = new AnalysisSettings { EverySteps = 10, Gradients = true, GradientSamples = 4, WholeSetSamples = 256 },
        StepEventEvery = 25,
        TrainSubset = 1000,
        MaxStepsPerEpoch = 20,
        Augment = true,
        ParentRunId = "12",
        Resources = new ResourceSettings { Gpu = GpuShare.Exclusive },
    };

    [Fact]
    public void EveryConfigField_RoundTripsThroughTheForm()
    {
        var form = RunForm.FromConfig(Full);

        Assert.Equal(RunConfigJson.Serialize(Full), RunConfigJson.Serialize(form.ToConfig()));
        var again = RunForm.FromConfig(form.ToConfig());
        Assert.Equal(RunConfigJson.Serialize(Full), RunConfigJson.Serialize(again.ToConfig()));
    }

    [Fact]
    public void EveryConfigField_HasAnInput_AndTheRoundTripConfigSetsIt()
    {
        var defaults = Leaves(JsonNode.Parse(RunConfigJson.Serialize(new RunConfig()))!);
        var full = Leaves(JsonNode.Parse(RunConfigJson.Serialize(Full))!);

        foreach (var (path, value) in full)
        {
            // A field left at its default would let the round trip pass without the form handling it.
            Assert.False(defaults.TryGetValue(path, out var original) && original == value, $"{path} is at its default in the test config");
            Assert.True(RunForm.HasInput(RunFormErrors.InputPathOf(path)), $"{path} has no input");
        }
        // A default's null section or empty list is filled in the test config, so its leaves sit under the same path.
        var uncovered = defaults.Keys.Where(path => !full.Keys.Any(leaf => leaf == path || leaf.StartsWith(path + ".", StringComparison.Ordinal)
            || leaf.StartsWith(path + "[", StringComparison.Ordinal))).ToList();
        Assert.True(uncovered.Count == 0, $"Not set by the test config: {string.Join(", ", uncovered)}");
    }

    [Fact]
    public void AnOptionalSectionSwitchedOff_LeavesTheConfig_ButKeepsWhatWasTyped()
    {
        var form = new RunForm { DropConnectEnabled = true, DropConnectRate = 0.3 };

        form.DropConnectEnabled = false;
        Assert.Null(form.ToConfig().DropConnect);
        form.Load(form.ToConfig() with { Epochs = 5 });
        form.DropConnectEnabled = true;

        Assert.Equal(0.3, form.ToConfig().DropConnect!.Rate);
        Assert.Equal(5, form.Epochs);
    }

    [Fact]
    public void Tags_AreSplitOnCommas_AndBlanksIgnored()
    {
        var form = new RunForm { Tags = " paper, ,table-1 ," };

        Assert.Equal(["paper", "table-1"], form.ToConfig().Tags);
    }

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void Preset_SetsWhatMethodPresetsSays_AndKeepsTheRest(string method)
    {
        var form = RunForm.FromConfig(Full with { DropConnect = null, RDrop = null });
        var before = form.ToConfig();

        form.ApplyPreset(method);

        Assert.Equal(RunConfigJson.Serialize(MethodPresets.Apply(method, before)), RunConfigJson.Serialize(form.ToConfig()));
        Assert.Equal(method, form.Method);
        Assert.Equal((before.Name, before.Model, before.Epochs, before.Lr), (form.Name, form.Model, form.Epochs, form.Lr));
    }

    public static TheoryData<string> AllMethods() => [.. Methods.All];

    [Fact]
    public void EarlyDropoutWithoutCutoff_PutsTheEnginesMessageOnTheCutoffInput()
    {
        var form = new RunForm { Epochs = 10 };
        form.Dropout.Rate = 0.1;
        form.Dropout.Mode = DropMode.Early;
        form.Dropout.CutoffEpoch = null;

        var errors = form.Validate();

        var expected = RunConfigValidator.Validate(form.ToConfig()).Single(e => e.Field == "dropout.cutoffEpoch").Message;
        Assert.Equal([expected], errors.For("dropout.cutoffEpoch"));
        Assert.Empty(errors.Unplaced);
        Assert.Empty(errors.For("dropout.rate"));
    }

    [Fact]
    public void InvalidLearningRateAndEpochs_AreEachPlacedOnTheirInput()
    {
        var form = new RunForm { Lr = -1, Epochs = 0 };

        var errors = form.Validate();

        Assert.Equal(["The learning rate must be greater than 0."], errors.For("lr"));
        Assert.Equal(["Epochs must be at least 1."], errors.For("epochs"));
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void ADefaultForm_IsValid()
    {
        Assert.True(new RunForm().Validate().IsEmpty);
    }

    [Fact]
    public void AnErrorOfAListItem_LandsOnTheListsInput()
    {
        var form = new RunForm { Tags = "ok, " + new string('x', RunConfigValidator.MaxTagLength + 1) };

        var errors = form.Validate();

        Assert.Single(errors.For("tags"));
        Assert.Empty(errors.Unplaced);
    }

    [Fact]
    public void ErrorsWithoutAShownInput_GoToTheTopList_NeverDropped()
    {
        var errors = RunFormErrors.Place(
            [new FieldError("configs", "A sweep needs at least one run."), new FieldError("lr", "bad"), new FieldError("rDrop.alpha", "hidden")],
            path => path != "rDrop.alpha");

        Assert.Equal(["bad"], errors.For("lr"));
        Assert.Equal([new FieldError("configs", "A sweep needs at least one run."), new FieldError("rDrop.alpha", "hidden")], errors.Unplaced);
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void RDropWithoutDropout_IsShownOnTheRDropSwitch()
    {
        var form = new RunForm { RDropEnabled = true };

        var errors = form.Validate();

        Assert.Contains(errors.For("rDrop"), message => message.Contains("R-Drop compares two dropout passes", StringComparison.Ordinal));
        Assert.Empty(errors.Unplaced);
    }

    [Fact]
    public void SwitchedOffSections_HideTheirInputs_ButNotTheirSwitch()
    {
        var form = new RunForm();

        Assert.True(form.IsShown("rDrop"));
        Assert.False(form.IsShown("rDrop.alpha"));
        Assert.False(form.IsShown("earlyStopping.metric"));
        Assert.False(form.IsShown("analysis.gradientSamples"));
        Assert.False(form.IsShown("no.such.input"));
        form.RDropEnabled = true;
        Assert.True(form.IsShown("rDrop.alpha"));
    }

    [Fact]
    public void EveryFieldOfTheTable_BindsToAFormProperty_OfItsKindsType()
    {
        foreach (var field in RunConfigFields.All)
        {
            var type = RunForm.ValueType(field.Path);
            Type[] expected = field.Kind switch
            {
                ConfigFieldKind.Text or ConfigFieldKind.TextList => [typeof(string)],
                ConfigFieldKind.Integer => [field.Optional ? typeof(int?) : typeof(int)],
                ConfigFieldKind.Number => [field.Optional ? typeof(double?) : typeof(double)],
                ConfigFieldKind.Flag or ConfigFieldKind.Section => [typeof(bool)],
                ConfigFieldKind.Choice => [typeof(string)],
                _ => [],
            };
            Assert.True(expected.Contains(type) || (field.Kind == ConfigFieldKind.Choice && type.IsEnum), $"{field.Path} binds to a {type.Name}");
        }
    }

    [Fact]
    public void TheFormsValues_ReadThroughTheTable_AreTheConfigsValues()
    {
        var form = RunForm.FromConfig(Full);

        foreach (var field in RunConfigFields.All.Where(f => f.Kind is not (ConfigFieldKind.TextList or ConfigFieldKind.Section)))
        {
            var shown = field.Kind == ConfigFieldKind.Choice ? form.GetChoice(field.Path) : RunConfigFields.Text(form.Get(field.Path));
            Assert.Equal(RunConfigFields.Text(field.Read(Full)), shown);
        }
    }

    [Fact]
    public void AChoice_IsSetByItsJsonWord()
    {
        var form = new RunForm();

        form.SetChoice("optimizer", "sgd");
        form.SetChoice("dropout.mode", "early");
        form.SetChoice("model", KnownModels.VitNano);
        form.Set("rDrop", true);

        var config = form.ToConfig();
        Assert.Equal((OptimizerKind.Sgd, DropMode.Early, KnownModels.VitNano), (config.Optimizer, config.Dropout.Mode, config.Model));
        Assert.NotNull(config.RDrop);
        Assert.Equal("sgd", form.GetChoice("optimizer"));
    }

    /// <summary>Every leaf of a JSON document by its path (list items as "tags[0]"), with its JSON text.</summary>
    private static Dictionary<string, string> Leaves(JsonNode node, string prefix = "")
    {
        var leaves = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
                    if (value is null) leaves[path] = "null";
                    else foreach (var leaf in Leaves(value, path)) leaves[leaf.Key] = leaf.Value;
                }
                break;
            case JsonArray array:
                if (array.Count == 0) leaves[prefix] = "[]";
                for (var i = 0; i < array.Count; i++)
                    foreach (var leaf in Leaves(array[i]!, $"{prefix}[{i}]")) leaves[leaf.Key] = leaf.Value;
                break;
            default:
                leaves[prefix] = node.ToJsonString();
                break;
        }
        return leaves;
    }
}
