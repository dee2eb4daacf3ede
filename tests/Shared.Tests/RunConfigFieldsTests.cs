using System.Text.Json.Nodes;
using Tracker.Shared;

namespace Tracker.Shared.Tests;

public class RunConfigFieldsTests
{
    /// <summary>Every field set away from its default and every optional section on, so each path has a value.</summary>
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
    };

    [Fact]
    public void TheTable_HasEveryLeafOfTheConfigJson_InTheOrderItWritesThem_WithTheSameValue()
    {
        var json = Leaves(JsonNode.Parse(RunConfigJson.Serialize(Full))!);

        var values = RunConfigFields.Values(Full);

        Assert.Equal(json.Select(l => l.Key), values.Select(v => v.Key));
        Assert.Equal(json.Select(l => l.Value), values.Select(v => v.Value));
    }

    [Fact]
    public void ASectionThatIsOff_IsOneUnsetEntry_AndItsFieldsAreLeftOut()
    {
        var values = RunConfigFields.Values(new RunConfig()).ToDictionary(v => v.Key, v => v.Value);

        Assert.True(values.ContainsKey("rDrop"));
        Assert.Null(values["rDrop"]);
        Assert.DoesNotContain("rDrop.alpha", values.Keys);
        Assert.Null(values["earlyStopping"]);
        Assert.DoesNotContain("earlyStopping.metric", values.Keys);
        Assert.Null(values["gradClip"]);
        Assert.Equal("none", values["tags"]);
        Assert.Equal("adamw", values["optimizer"]);
        Assert.Equal("0.001", values["lr"]);
    }

    [Fact]
    public void ChoiceFields_OfferTheWordsTheValidatorAndTheJsonAccept()
    {
        foreach (var field in RunConfigFields.All.Where(f => f.Kind == ConfigFieldKind.Choice))
        {
            Assert.NotEmpty(field.Choices);
            var value = RunConfigFields.Text(field.Read(Full));
            Assert.Contains(value, field.Choices);
        }
    }

    [Fact]
    public void EveryField_IsInASection_ThatTheFormShows_AndPathsAreUnique()
    {
        Assert.All(RunConfigFields.All, field => Assert.Contains(field.Section, RunConfigFields.Sections));
        Assert.Equal(RunConfigFields.All.Count, RunConfigFields.All.Select(f => f.Path).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(RunConfigFields.All.Where(f => f.SectionSwitch is not null),
            field => Assert.Equal(ConfigFieldKind.Section, RunConfigFields.Find(field.SectionSwitch!)!.Kind));
    }

    /// <summary>Every leaf of a JSON document by its path in document order; a list is one leaf, its items joined as the table writes them.</summary>
    private static List<KeyValuePair<string, string>> Leaves(JsonNode node, string prefix = "")
    {
        var leaves = new List<KeyValuePair<string, string>>();
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                    leaves.AddRange(Leaves(value!, prefix.Length == 0 ? key : $"{prefix}.{key}"));
                break;
            case JsonArray array:
                leaves.Add(new(prefix, string.Join(", ", array.Select(item => item!.GetValue<string>()))));
                break;
            default:
                var element = node.GetValue<System.Text.Json.JsonElement>();
                leaves.Add(new(prefix, element.ValueKind == System.Text.Json.JsonValueKind.String ? element.GetString()! : element.GetRawText()));
                break;
        }
        return leaves;
    }
}
