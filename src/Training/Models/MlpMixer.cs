using Tracker.Shared;
using Tracker.Training.Regularization;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Models;

/// <summary>Size of an <see cref="MlpMixer"/>; the hidden widths are ratios of the embedding dimension, as timm's (0.5, 4.0).</summary>
public sealed record MixerDimensions(int EmbedDim, int Depth, int PatchSize, double TokenMlpRatio = 0.5, double ChannelMlpRatio = 4)
{
    /// <summary>A Mixer small enough for CPU training on 28x28 and 32x32 images.</summary>
    public static MixerDimensions Small { get; } = new(EmbedDim: 128, Depth: 6, PatchSize: 4);

    public int TokenHiddenDim => (int)(EmbedDim * TokenMlpRatio);

    public int ChannelHiddenDim => (int)(EmbedDim * ChannelMlpRatio);
}

/// <summary>
/// MLP-Mixer as in timm: conv patch embedding, blocks x + drop_path(token_mlp(norm1(x)ᵀ)ᵀ) and
/// x + drop_path(channel_mlp(norm2(x))), each MLP with dropout after GELU and after fc2, final LayerNorm,
/// mean over tokens, linear head.
/// </summary>
public sealed class MlpMixer : ClassifierModel
{
    private const double NormEps = 1e-6;

    private readonly Conv2d _stem;
    private readonly Sequential _blocks;
    private readonly LayerNorm _norm;
    private readonly Linear _head;

    public MlpMixer(long inputChannels, long imageSize, long classes, MixerDimensions dimensions, double dropoutRate = 0,
        double dropPathRate = 0, DropConnectSettings? dropConnect = null) : base(inputChannels, imageSize, classes)
    {
        Dimensions = dimensions;
        var (dim, depth, patch) = (dimensions.EmbedDim, dimensions.Depth, dimensions.PatchSize);
        if (dim < 1 || depth < 1 || patch < 1 || dimensions.TokenHiddenDim < 1 || dimensions.ChannelHiddenDim < 1)
            throw new ArgumentException($"Every Mixer dimension must be positive: {dimensions}.", nameof(dimensions));
        if (imageSize % patch != 0) throw new ArgumentException($"The image size {imageSize} must divide by the patch size {patch}.", nameof(dimensions));
        var tokens = (imageSize / patch) * (imageSize / patch);

        _stem = register_module("stem", new Conv2d(inputChannels, dim, kernelSize: patch, stride: patch));
        _blocks = new Sequential();
        for (var i = 0; i < depth; i++)
            _blocks.append(new MixerBlock(dim, tokens, dimensions, dropoutRate, NewDropPath(i, depth), NewDropPath(i, depth), dropConnect));
        register_module("blocks", _blocks);
        _norm = register_module("norm", new LayerNorm([dim], NormEps));
        _head = register_module("head", new Linear(dim, classes));

        // timm's Mixer init: Xavier-uniform linears with zero biases. timm zeroes the head too; it keeps
        // PyTorch's default here, so the first backward pass reaches every layer.
        Layers.InitLinearWeightsXavier(this, skip: name => name == "head");
        SetDropoutRate(dropoutRate);
        SetDropPathRate(dropPathRate);
    }

    public MixerDimensions Dimensions { get; }

    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        var x = _stem.forward(input).flatten(2).transpose(1, 2); // [B, tokens, D]
        x = _blocks.forward(x);
        x = _norm.forward(x);
        return _head.forward(x.mean(1));
    }

    private sealed class MixerBlock : Module<Tensor, Tensor>
    {
        private readonly LayerNorm _norm1, _norm2;
        private readonly FeedForward _mlpTokens, _mlpChannels;
        private readonly DropPath _dropPath1, _dropPath2;

        public MixerBlock(long dim, long tokens, MixerDimensions dimensions, double dropoutRate, DropPath dropPath1, DropPath dropPath2,
            DropConnectSettings? dropConnect)
        {
            _norm1 = register_module("norm1", new LayerNorm([dim], NormEps));
            _mlpTokens = register_module("mlp_tokens", new FeedForward(tokens, dimensions.TokenHiddenDim, dropoutRate, dropConnect));
            _dropPath1 = register_module("drop_path1", dropPath1);
            _norm2 = register_module("norm2", new LayerNorm([dim], NormEps));
            _mlpChannels = register_module("mlp_channels", new FeedForward(dim, dimensions.ChannelHiddenDim, dropoutRate, dropConnect));
            _dropPath2 = register_module("drop_path2", dropPath2);
        }

        public override Tensor forward(Tensor input)
        {
            // Token mixing works across patches: it sees [B, D, tokens].
            var mixedTokens = _mlpTokens.forward(_norm1.forward(input).transpose(1, 2)).transpose(1, 2);
            var x = input + _dropPath1.forward(mixedTokens);
            return x + _dropPath2.forward(_mlpChannels.forward(_norm2.forward(x)));
        }
    }
}
