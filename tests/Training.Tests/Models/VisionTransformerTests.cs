using Tracker.Shared;
using Tracker.Training.Models;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Tests.Models;

public class VisionTransformerTests
{
    /// <summary>timm's ViT with qkv bias, mlp ratio 4, class token and learned position embedding, written out by hand.</summary>
    private static long ExpectedParameters(long channels, long size, long classes, long dim, long depth, long patch)
    {
        var patches = (size / patch) * (size / patch);
        var patchEmbedding = dim * channels * patch * patch + dim;
        var clsAndPosition = dim + (patches + 1) * dim;
        var norm = 2 * dim;
        var qkv = dim * 3 * dim + 3 * dim;
        var projection = dim * dim + dim;
        var fc1 = dim * 4 * dim + 4 * dim;
        var fc2 = 4 * dim * dim + dim;
        var block = norm + qkv + projection + norm + fc1 + fc2;
        var head = dim * classes + classes;
        return patchEmbedding + clsAndPosition + depth * block + norm + head;
    }

    [Theory]
    [InlineData(KnownModels.VitNano, 64, 6, 1, 28)]
    [InlineData(KnownModels.VitNano, 64, 6, 3, 32)]
    [InlineData(KnownModels.VitTiny, 192, 12, 1, 28)]
    [InlineData(KnownModels.VitTiny, 192, 12, 3, 32)]
    public void Presets_HaveTheParameterCountOfTheirDimensions(string name, int dim, int depth, int channels, int size)
    {
        using var model = ModelFactory.Create(name, channels, size, 10);
        Assert.Equal(ExpectedParameters(channels, size, 10, dim, depth, patch: 4), model.ParameterCount);
    }

    [Fact]
    public void Dropout_SitsAfterPositionEmbedding_OnAttention_AfterProjection_AndTwicePerMlp()
    {
        using var model = new VisionTransformer(3, 32, 10, new VitDimensions(EmbedDim: 16, Depth: 3, Heads: 2, PatchSize: 8), dropoutRate: 0.1);
        var dropoutNames = model.named_modules().Where(m => m.module is Dropout).Select(m => m.name).ToList();

        var expected = new List<string> { "pos_drop" };
        for (var i = 0; i < 3; i++)
            expected.AddRange([$"blocks.{i}.attn.attn_drop", $"blocks.{i}.attn.proj_drop", $"blocks.{i}.mlp.drop1", $"blocks.{i}.mlp.drop2"]);
        Assert.Equal(expected, dropoutNames);
        Assert.Equal(1 + 4 * 3, model.DropoutLayers.Count);
    }

    [Fact]
    public void EveryBlock_HasDropPathOnBothResidualBranches()
    {
        using var model = new VisionTransformer(1, 28, 10, new VitDimensions(EmbedDim: 16, Depth: 4, Heads: 2, PatchSize: 7), dropPathRate: 0.3);
        var dropPaths = model.DropPathLayers;
        Assert.Equal(8, dropPaths.Count);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(dropPaths[2 * i].DepthFraction, dropPaths[2 * i + 1].DepthFraction);
            Assert.Equal(0.3 * i / 3, dropPaths[2 * i].Layer.p, 12);
        }
    }

    [Fact]
    public void Initialisation_FollowsTimm()
    {
        using var model = ModelFactory.Create(KnownModels.VitTiny, 3, 32, 10);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var scope = torch.NewDisposeScope();
        Assert.InRange(parameters["blocks.0.mlp.fc1.0.weight"].var().sqrt().ToDouble(), 0.019, 0.021);
        Assert.Equal(0, parameters["blocks.0.attn.qkv.bias"].abs().sum().ToDouble());
        Assert.InRange(parameters["head.weight"].var().sqrt().ToDouble(), 0.018, 0.022);
        Assert.All(parameters["blocks.5.norm1.weight"].ToArray<float>(), w => Assert.Equal(1f, w));
        Assert.InRange(parameters["pos_embed"].var().sqrt().ToDouble(), 0.019, 0.021);
    }

    [Theory]
    [InlineData(30, 4, 4, "image size")]
    [InlineData(28, 4, 3, "head count")]
    public void InconsistentDimensions_AreRejected(int imageSize, int patch, int heads, string cause)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new VisionTransformer(1, imageSize, 10, new VitDimensions(EmbedDim: 16, Depth: 1, Heads: heads, PatchSize: patch)));
        Assert.Contains(cause, error.Message);
    }

    [Fact]
    public void TinyViT_OverfitsThirtyTwoSyntheticSamples()
    {
        torch.manual_seed(7);
        using var scope = torch.NewDisposeScope();
        // Four classes, each a fixed random pattern plus noise.
        var prototypes = torch.randn([4, 1, 28, 28]);
        var labels = torch.tensor(Enumerable.Range(0, 32).Select(i => (long)(i % 4)).ToArray());
        var images = prototypes.index_select(0, labels) + 0.5 * torch.randn([32, 1, 28, 28]);
        using var model = new VisionTransformer(1, 28, 4, new VitDimensions(EmbedDim: 32, Depth: 2, Heads: 2, PatchSize: 7));
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: 3e-3, weight_decay: 0);

        double first = 0, last = 0;
        for (var step = 0; step < 30; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = torch.nn.functional.cross_entropy(model.forward(images), labels);
            loss.backward();
            optimizer.step();
            last = loss.ToDouble();
            if (step == 0) first = last;
        }
        Assert.True(last < 0.3 * first, $"loss went from {first} to {last}");
        model.eval();
        Assert.True(Accuracy.TopK(model.forward(images), labels, 1) >= 0.9);
    }
}
