using Tracker.Training.Models;
using Tracker.Training.Regularization;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Tests.Models;

/// <summary>Where the regularizers sit in the families other than ViT.</summary>
public class ModelShapeTests
{
    [Fact]
    public void Mlp_HasOneDropoutAfterEachHiddenActivation()
    {
        using var model = new Mlp(1, 28, 10, hiddenSizes: [32, 16, 8], dropoutRate: 0.2);
        var layers = model.named_children().Single().module.named_children().Select(c => c.module).ToList();
        // Flatten, then (Linear+ReLU, Dropout) per hidden layer, then the head.
        Assert.IsType<Flatten>(layers[0]);
        for (var i = 0; i < 3; i++) Assert.IsType<Dropout>(layers[2 + 2 * i]);
        Assert.IsType<Linear>(layers[^1]);
        Assert.Equal(3, model.DropoutLayers.Count);
    }

    [Fact]
    public void ConvNet_HasBatchNormAfterEveryConvAndDropoutBeforeTheClassifier()
    {
        using var model = new ConvNet(3, 32, 10, channels: [8, 16], dropoutRate: 0.2);
        var modules = model.named_modules().Select(m => m.module).ToList();
        Assert.Equal(4, modules.OfType<Conv2d>().Count());
        Assert.Equal(4, modules.OfType<BatchNorm2d>().Count());
        var dropout = Assert.Single(model.DropoutLayers);
        var classifier = model.named_children().Single(c => c.name == "classifier").module.named_children().Select(c => c.module).ToList();
        Assert.Same(dropout, classifier[1]);
        Assert.IsType<Linear>(classifier[^1]);
    }

    [Fact]
    public void Mixer_HasTwoDropoutsInsideEachOfItsTwoMlpsPerBlock()
    {
        using var model = new MlpMixer(1, 28, 10, new MixerDimensions(EmbedDim: 16, Depth: 3, PatchSize: 7), dropoutRate: 0.1, dropPathRate: 0.2);
        var dropoutNames = model.named_modules().Where(m => m.module is Dropout).Select(m => m.name).ToList();
        var expected = Enumerable.Range(0, 3).SelectMany(i => new[]
        {
            $"blocks.{i}.mlp_tokens.drop1", $"blocks.{i}.mlp_tokens.drop2", $"blocks.{i}.mlp_channels.drop1", $"blocks.{i}.mlp_channels.drop2",
        });
        Assert.Equal(expected, dropoutNames);
        Assert.Equal(6, model.DropPathLayers.Count);
        Assert.Equal(0.2, model.DropPathLayers[^1].Layer.p, 12);
    }

    [Fact]
    public void ConvNeXt_RisesDropPathOverAllStagesTogether_WithOneDropoutAndLayerScalePerBlock()
    {
        var dimensions = new ConvNextDimensions([1, 2, 1], [8, 16, 32], StemPatch: 2);
        using var model = new ConvNeXt(3, 32, 10, dimensions, dropoutRate: 0.1, dropPathRate: 0.3);

        Assert.Equal(4, model.DropoutLayers.Count);
        var fractions = model.DropPathLayers.Select(d => d.DepthFraction).ToList();
        Assert.Equal([0, 1.0 / 3, 2.0 / 3, 1], fractions);
        var gammas = model.named_parameters().Where(p => p.name.EndsWith(".gamma", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, gammas.Count);
        Assert.All(gammas, g => Assert.All(g.parameter.ToArray<float>(), v => Assert.Equal(1e-6f, v)));
        var depthwise = model.named_modules().Where(m => m.name.EndsWith(".dwconv", StringComparison.Ordinal)).Select(m => (Conv2d)m.module).First();
        Assert.Equal([8L, 1, 7, 7], depthwise.weight.shape);
    }

    [Fact]
    public void ConvNeXt_TooManyStagesForTheImage_IsRejected()
    {
        var dimensions = new ConvNextDimensions([1, 1, 1, 1, 1], [4, 4, 4, 4, 4], StemPatch: 4);
        Assert.Throws<ArgumentException>(() => new ConvNeXt(1, 28, 10, dimensions));
    }

    [Fact]
    public void DropPathInstances_AreNotSharedBetweenBranches()
    {
        using var model = new MlpMixer(1, 28, 10, new MixerDimensions(EmbedDim: 8, Depth: 2, PatchSize: 14));
        Assert.Equal(model.DropPathLayers.Count, model.DropPathLayers.Select(d => d.Layer).Distinct().Count());
        Assert.All(model.DropPathLayers, d => Assert.IsType<DropPath>(d.Layer));
    }
}
