using Tracker.Shared;
using Tracker.Web.Features.Runs.Forms;

namespace Tracker.Web.Tests.Runs.Forms;

public class SweepGridTests
{
    // The paper's rows for ViT-T on ImageNet (Table 1): the baselines and the early variants.
    private static readonly string[] PaperRows =
        [Methods.NoDropout, Methods.StandardDropout, Methods.EarlyDropout, Methods.StandardStochasticDepth, Methods.EarlyStochasticDepth];

    private static RunConfig Base => new() { Name = "vit", Dataset = KnownDatasets.Synthetic, Device = DeviceKind.Cpu, Epochs = 6 };

    [Fact]
    public void FiveMethods_OneModel_ThreeSeeds_Make15DistinctValidRuns()
    {
        var sweep = new SweepForm { Methods = PaperRows, Models = [KnownModels.VitNano], Seeds = "0, 1, 2" };

        var plan = sweep.Plan(Base);

        Assert.Equal(15, plan.Grid.Count);
        Assert.Equal(15, plan.Configs.Count);
        Assert.True(plan.CanSubmit);
        Assert.All(plan.Configs, config => Assert.Empty(RunConfigValidator.Validate(config)));
        Assert.Equal(15, plan.Configs.Select(c => RunConfigJson.Serialize(c)).Distinct().Count());
        Assert.Equal(15, plan.Configs.Select(c => c.Name).Distinct().Count());
        foreach (var method in PaperRows)
        {
            var cells = plan.Configs.Where(c => Methods.Describe(c) == method).ToList();
            Assert.Equal([0, 1, 2], cells.Select(c => c.Seed));
            Assert.All(cells, c => Assert.Equal(KnownModels.VitNano, c.Model));
            Assert.All(cells, c => Assert.Equal(RunConfigJson.Serialize(MethodPresets.Apply(method, Base with { Model = c.Model, Seed = c.Seed, Name = c.Name })),
                RunConfigJson.Serialize(c)));
        }
        Assert.Contains("vit-early-sd-vit-nano-s2", plan.Configs.Select(c => c.Name));
    }

    [Fact]
    public void MethodsAndModels_FollowThePapersOrder_NotTheOrderTheyWereTicked()
    {
        var sweep = new SweepForm { Methods = [Methods.EarlyDropout, Methods.NoDropout], Models = [KnownModels.ConvNet, KnownModels.Mlp], Seeds = "3" };

        var names = sweep.Plan(Base).Configs.Select(c => c.Name);

        Assert.Equal(["vit-no-dropout-mlp-s3", "vit-no-dropout-convnet-s3", "vit-early-dropout-mlp-s3", "vit-early-dropout-convnet-s3"], names);
    }

    [Theory]
    [InlineData("0, 1, 2", new[] { 0, 1, 2 })]
    [InlineData("5 7;9", new[] { 5, 7, 9 })]
    public void Seeds_ParseFromAList(string text, int[] expected)
    {
        Assert.True(SweepGrid.TryParseSeeds(text, out var seeds, out var error));
        Assert.Null(error);
        Assert.Equal(expected, seeds);
    }

    [Theory]
    [InlineData("1, 1", "twice")]
    [InlineData("1, x", "'x' is not a seed")]
    [InlineData("-1", "'-1' is not a seed")]
    [InlineData(" , ", "at least one seed")]
    public void BadSeeds_AreRefusedWithAReason(string text, string reason)
    {
        var sweep = new SweepForm { Methods = [Methods.NoDropout], Models = [KnownModels.Mlp], Seeds = text };

        var plan = sweep.Plan(Base);

        Assert.False(plan.CanSubmit);
        Assert.Empty(plan.Configs);
        Assert.Contains(reason, Assert.Single(plan.InputErrorsFor(SweepForm.SeedsPath)), StringComparison.Ordinal);
    }

    [Fact]
    public void NoMethodOrModel_IsAnErrorOnThatInput()
    {
        var plan = new SweepForm { Seeds = "0" }.Plan(Base);

        Assert.Equal(["Pick at least one method."], plan.InputErrorsFor(SweepForm.MethodsPath));
        Assert.Equal(["Pick at least one model."], plan.InputErrorsFor(SweepForm.ModelsPath));
        Assert.Equal(0, plan.Grid.Count);
    }

    [Fact]
    public void AGridPastTheLimit_IsRefused()
    {
        var seeds = string.Join(", ", Enumerable.Range(0, SweepGrid.MaxRuns));
        var plan = new SweepForm { Methods = [Methods.NoDropout, Methods.StandardDropout], Models = [KnownModels.Mlp], Seeds = seeds }.Plan(Base);

        Assert.False(plan.CanSubmit);
        Assert.Contains($"{2 * SweepGrid.MaxRuns} runs", Assert.Single(plan.InputErrorsFor(SweepForm.SeedsPath)), StringComparison.Ordinal);
    }

    [Fact]
    public void CellErrors_OfAHiddenInput_AreListedWithTheRunsTheyConcern()
    {
        // Stochastic depth needs residual blocks, which mlp lacks; vit-nano has them.
        var sweep = new SweepForm { Methods = [Methods.NoDropout, Methods.StandardStochasticDepth], Models = [KnownModels.Mlp, KnownModels.VitNano], Seeds = "0, 1" };
        var plan = sweep.Plan(Base);

        var (fields, runs) = plan.PlaceConfigErrors(path => !SweepForm.SetsPerRun(path));

        Assert.False(plan.CanSubmit);
        var group = Assert.Single(runs);
        Assert.Equal("dropPath.rate", group.Field);
        Assert.Equal("Stochastic depth rate", group.Label);
        Assert.Equal(["vit-standard-sd-mlp-s0", "vit-standard-sd-mlp-s1"], group.RunNames);
        Assert.Empty(fields.For("dropPath.rate"));
    }

    [Fact]
    public void ABaseFieldError_ShowsOnceUnderItsInput_NotOncePerRun()
    {
        var sweep = new SweepForm { Methods = [Methods.NoDropout, Methods.StandardDropout], Models = [KnownModels.Mlp], Seeds = "0, 1, 2" };
        var plan = sweep.Plan(Base with { Lr = -1 });

        var (fields, runs) = plan.PlaceConfigErrors(path => !SweepForm.SetsPerRun(path));

        Assert.Equal(6, plan.ConfigErrors.Count);
        Assert.Equal(["The learning rate must be greater than 0."], fields.For("lr"));
        Assert.Empty(runs);
    }

    [Fact]
    public void SubmitErrorsByIndex_AreGroupedWithRunNames()
    {
        RunConfig[] configs = [Base with { Name = "a" }, Base with { Name = "b" }];

        var groups = SweepErrors.Group(
            [new(0, new FieldError("epochs", "Epochs must be at least 1.")), new(1, new FieldError("epochs", "Epochs must be at least 1.")),
             new(-1, new FieldError("configs", "A sweep needs at least one run."))], configs);

        Assert.Equal(2, groups.Count);
        Assert.Equal("Epochs", groups[0].Label);
        Assert.Equal(["a", "b"], groups[0].RunNames);
        Assert.Equal(("configs", 0), (groups[1].Label, groups[1].RunNames.Count));
    }

    [Theory]
    [InlineData("early-dropout", Methods.EarlyDropout)]
    [InlineData("Early Dropout", Methods.EarlyDropout)]
    [InlineData("standard-sd", Methods.StandardStochasticDepth)]
    [InlineData("late s.d.", Methods.LateStochasticDepth)]
    [InlineData("r-drop", Methods.RDrop)]
    [InlineData("sideways", null)]
    public void PresetNames_FindAMethodByLabelOrSlug(string preset, string? method)
    {
        Assert.Equal(method, PresetNames.Find(preset));
    }

    [Fact]
    public void PresetSlugs_AreDistinct()
    {
        Assert.Equal(Methods.All.Count, Methods.All.Select(PresetNames.Slug).Distinct().Count());
    }
}
