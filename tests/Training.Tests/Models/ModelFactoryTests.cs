using Tracker.Shared;
using Tracker.Training.Models;
using Tracker.Training.Regularization;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Tests.Models;

public class ModelFactoryTests
{
    private const int Classes = 10;

    [Theory]
    [MemberData(nameof(ModelTestData.EveryModelAndInputKind), MemberType = typeof(ModelTestData))]
    public void Forward_GivesOneLogitPerClassForEachImage(string name, int channels, int size)
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelFactory.Create(name, channels, size, Classes);
        Assert.Equal([2L, Classes], model.forward(torch.randn([2, channels, size, size])).shape);
    }

    [Theory]
    [MemberData(nameof(ModelTestData.EveryArchitecture), MemberType = typeof(ModelTestData))]
    public void Backward_GivesEveryParameterANonZeroGradient(string name)
    {
        torch.manual_seed(3);
        using var scope = torch.NewDisposeScope();
        using var model = ModelFactory.Create(name, 3, 32, Classes);
        var loss = torch.nn.functional.cross_entropy(model.forward(torch.randn([4, 3, 32, 32])), torch.randint(0, Classes, [4]));
        loss.backward();
        foreach (var (parameterName, parameter) in model.named_parameters())
        {
            using var grad = parameter.grad;
            Assert.True(grad is not null, $"{name}: {parameterName} has no gradient");
            Assert.True(grad.abs().sum().ToDouble() > 0, $"{name}: {parameterName} has an all-zero gradient");
        }
    }

    [Theory]
    [MemberData(nameof(ModelTestData.EveryArchitecture), MemberType = typeof(ModelTestData))]
    public void EvalIsDeterministic_TrainingWithDropoutIsNot(string name)
    {
        using var scope = torch.NewDisposeScope();
        var dropPath = KnownModels.HasResidualBlocks(name) ? 0.2 : 0;
        using var model = ModelFactory.Create(name, 1, 28, Classes, dropoutRate: 0.3, dropPathRate: dropPath);
        var input = torch.randn([4, 1, 28, 28]);

        Assert.NotEqual(model.forward(input).ToArray<float>(), model.forward(input).ToArray<float>());
        model.eval();
        Assert.Equal(model.forward(input).ToArray<float>(), model.forward(input).ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(ModelTestData.EveryModel), MemberType = typeof(ModelTestData))]
    public void SetDropoutRate_ReachesEveryDropoutModule(string name)
    {
        using var model = ModelFactory.Create(name, 1, 28, Classes, dropoutRate: 0.1);
        var allDropouts = model.named_modules().Select(m => m.module).OfType<Dropout>().Distinct().ToList();
        Assert.NotEmpty(allDropouts);
        Assert.Equal(allDropouts, model.DropoutLayers);
        Assert.All(allDropouts, d => Assert.Equal(0.1, d.p));

        model.SetDropoutRate(0.25);

        Assert.All(allDropouts, d => Assert.Equal(0.25, d.p));
        Assert.Equal(0.25, model.DropoutRate);
    }

    [Theory]
    [MemberData(nameof(ModelTestData.ModelsWithResidualBlocks), MemberType = typeof(ModelTestData))]
    public void DropPathRates_RiseLinearlyFromZeroAtTheFirstBlockToTheRateAtTheLast(string name)
    {
        using var model = ModelFactory.Create(name, 3, 32, Classes, dropPathRate: 0.1);
        var treeDropPaths = model.named_modules().Select(m => m.module).OfType<DropPath>().ToHashSet();
        Assert.Equal(treeDropPaths, model.DropPathLayers.Select(d => d.Layer).ToHashSet());

        model.SetDropPathRate(0.4);

        var fractions = model.DropPathLayers.Select(d => d.DepthFraction).Distinct().ToList();
        var blocks = fractions.Count;
        Assert.True(blocks > 2);
        for (var i = 0; i < blocks; i++) Assert.Equal((double)i / (blocks - 1), fractions[i], 12);
        foreach (var (layer, fraction) in model.DropPathLayers) Assert.Equal(0.4 * fraction, layer.p, 12);
        Assert.Equal(0, model.DropPathLayers[0].Layer.p);
        Assert.Equal(0.4, model.DropPathLayers[^1].Layer.p, 12);
    }

    [Theory]
    [InlineData(KnownModels.Mlp)]
    [InlineData(KnownModels.ConvNet)]
    public void ModelsWithoutResidualBlocks_RefuseStochasticDepth(string name)
    {
        Assert.Throws<ArgumentException>(() => ModelFactory.Create(name, 1, 28, Classes, dropPathRate: 0.1));
        using var model = ModelFactory.Create(name, 1, 28, Classes);
        Assert.Empty(model.DropPathLayers);
        model.SetDropPathRate(0); // the engine may always set the scheduled rate
        Assert.Throws<InvalidOperationException>(() => model.SetDropPathRate(0.1));
    }

    [Fact]
    public void UnknownModelName_ListsTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelFactory.Create("resnet", 1, 28, Classes));
        Assert.Contains("resnet", error.Message);
        Assert.All(KnownModels.All, known => Assert.Contains(known, error.Message));
    }

    [Fact]
    public void WrongInputShape_IsReportedWithBothShapes()
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelFactory.Create(KnownModels.Mlp, 1, 28, Classes);
        var error = Assert.Throws<ArgumentException>(() => model.forward(torch.randn([2, 3, 32, 32])));
        Assert.Contains("[B, 1, 28, 28]", error.Message);
        Assert.Contains("[2, 3, 32, 32]", error.Message);
    }

    [Theory]
    [MemberData(nameof(ModelTestData.EveryArchitecture), MemberType = typeof(ModelTestData))]
    public void DropConnectSettings_ReplaceTheHiddenLinearLayers_AndTrainAndInfer(string name)
    {
        using var scope = torch.NewDisposeScope();
        var settings = new DropConnectSettings { Rate = 0.3, Inference = DropConnectInference.Gaussian, Samples = 2 };
        using var plain = ModelFactory.Create(name, 1, 28, Classes);
        using var model = ModelFactory.Create(name, 1, 28, Classes, dropConnect: settings);

        Assert.Empty(plain.DropConnectLayers);
        Assert.NotEmpty(model.DropConnectLayers);
        Assert.All(model.DropConnectLayers, layer =>
        {
            Assert.Equal(0.3, layer.Rate);
            Assert.Equal(DropConnectInference.Gaussian, layer.Inference);
            Assert.Equal(2, layer.Samples);
        });
        // Swapping layers must not change the architecture's size.
        Assert.Equal(plain.ParameterCount, model.ParameterCount);

        var input = torch.randn([2, 1, 28, 28]);
        torch.nn.functional.cross_entropy(model.forward(input), torch.randint(0, Classes, [2])).backward();
        Assert.All(model.DropConnectLayers, layer => Assert.NotNull(layer.weight.grad));
        model.eval();
        Assert.Equal([2L, Classes], model.forward(input).shape);
    }

    [Fact]
    public void MlpHiddenLayers_BecomeDropConnectLayersWithReLUInside()
    {
        var settings = new DropConnectSettings { Rate = 0.5, Inference = DropConnectInference.Mean };
        using var model = new Mlp(1, 28, Classes, hiddenSizes: [64, 32], dropConnect: settings);
        Assert.Equal(2, model.DropConnectLayers.Count);
        Assert.All(model.DropConnectLayers, layer => Assert.Equal(LayerActivation.ReLU, layer.Activation));
        Assert.Equal([784L, 64], [model.DropConnectLayers[0].InFeatures, model.DropConnectLayers[0].OutFeatures]);
    }
}
