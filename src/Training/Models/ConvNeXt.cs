using Tracker.Shared;
using Tracker.Training.Regularization;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Models;

/// <summary>Size of a <see cref="ConvNeXt"/>: blocks and channels per stage, and the stem's patch size.</summary>
public sealed record ConvNextDimensions(IReadOnlyList<int> Depths, IReadOnlyList<int> Dims, int StemPatch)
{
    /// <summary>Three stages after a 2x2 stem: 28 → 14, 7, 3 and 32 → 16, 8, 4 pixels; small enough for a CPU.</summary>
    public static ConvNextDimensions Small { get; } = new([2, 2, 4], [32, 64, 128], StemPatch: 2);
}

/// <summary>
/// ConvNeXt as in the paper's official code: patchify stem (conv, LayerNorm), stages of blocks
/// dwconv 7x7 → dropout → LayerNorm → Linear 4x → GELU → dropout → Linear → dropout → layer scale → drop path,
/// downsampling (LayerNorm, 2x2 conv stride 2) between stages, global average pool, LayerNorm, head.
/// Each block has one dropout module applied at its three places, as the official Block does.
/// </summary>
public sealed class ConvNeXt : ClassifierModel
{
    private const double NormEps = 1e-6;
    private const double LayerScaleInit = 1e-6;

    private readonly Sequential _stages;
    private readonly LayerNorm _norm;
    private readonly Linear _head;

    public ConvNeXt(long inputChannels, long imageSize, long classes, ConvNextDimensions dimensions, double dropoutRate = 0,
        double dropPathRate = 0, DropConnectSettings? dropConnect = null) : base(inputChannels, imageSize, classes)
    {
        Dimensions = dimensions;
        var (depths, dims) = (dimensions.Depths, dimensions.Dims);
        if (depths.Count == 0 || depths.Count != dims.Count || depths.Any(d => d < 1) || dims.Any(d => d < 1) || dimensions.StemPatch < 1)
            throw new ArgumentException($"ConvNeXt needs one positive depth and width per stage and a positive stem patch: {dimensions}.", nameof(dimensions));
        var finalSize = imageSize / dimensions.StemPatch >> (depths.Count - 1);
        if (finalSize < 1)
            throw new ArgumentException($"A {imageSize}x{imageSize} image is too small for a stem of {dimensions.StemPatch} and {depths.Count} stages.", nameof(dimensions));

        var totalBlocks = depths.Sum();
        var blockIndex = 0;
        _stages = new Sequential();
        for (var stage = 0; stage < depths.Count; stage++)
        {
            _stages.append(stage == 0
                ? new Downsample(inputChannels, dims[0], dimensions.StemPatch, normFirst: false)
                : new Downsample(dims[stage - 1], dims[stage], 2, normFirst: true));
            for (var j = 0; j < depths[stage]; j++)
                _stages.append(new Block(dims[stage], dropoutRate, NewDropPath(blockIndex++, totalBlocks), dropConnect));
        }
        register_module("stages", _stages);
        _norm = register_module("norm", new LayerNorm([dims[^1]], NormEps));
        _head = register_module("head", new Linear(dims[^1], classes));

        InitConvAndLinearWeights();
        SetDropoutRate(dropoutRate);
        SetDropPathRate(dropPathRate);
    }

    public ConvNextDimensions Dimensions { get; }

    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        var x = _stages.forward(input);
        return _head.forward(_norm.forward(x.mean([-2, -1])));
    }

    /// <summary>The official _init_weights: every Conv2d and Linear weight ~ N(0, 0.02) (trunc at ±2 absolute), biases 0.</summary>
    private void InitConvAndLinearWeights()
    {
        Layers.InitLinearWeightsNormal(this, std: 0.02);
        using var noGrad = torch.no_grad();
        foreach (var conv in named_modules().Select(m => m.module).OfType<Conv2d>())
        {
            conv.weight.normal_(0, 0.02);
            conv.bias?.zero_();
        }
    }

    /// <summary>The stem (conv then LayerNorm) or a downsampling layer (LayerNorm then conv), kernel = stride.</summary>
    private sealed class Downsample : Module<Tensor, Tensor>
    {
        private readonly bool _normFirst;
        private readonly LayerNorm _norm;
        private readonly Conv2d _conv;

        public Downsample(long inChannels, long outChannels, long patch, bool normFirst)
        {
            _normFirst = normFirst;
            _norm = register_module("norm", new LayerNorm([normFirst ? inChannels : outChannels], NormEps));
            _conv = register_module("conv", new Conv2d(inChannels, outChannels, kernelSize: patch, stride: patch));
        }

        public override Tensor forward(Tensor input) => _normFirst
            ? _conv.forward(Layers.ChannelsFirstLayerNorm(_norm, input))
            : Layers.ChannelsFirstLayerNorm(_norm, _conv.forward(input));
    }

    private sealed class Block : Module<Tensor, Tensor>
    {
        private readonly Conv2d _dwconv;
        private readonly LayerNorm _norm;
        private readonly Module<Tensor, Tensor> _pwconv1, _pwconv2;
        private readonly Parameter _gamma;
        private readonly Dropout _dropout;
        private readonly DropPath _dropPath;

        public Block(long dim, double dropoutRate, DropPath dropPath, DropConnectSettings? dropConnect)
        {
            _dwconv = register_module("dwconv", new Conv2d(dim, dim, kernelSize: 7, padding: 3, groups: dim));
            _norm = register_module("norm", new LayerNorm([dim], NormEps));
            // Pointwise convolutions as linear layers on channels-last tensors, as the official block.
            _pwconv1 = register_module("pwconv1", Layers.Dense(dim, 4 * dim, LayerActivation.GELU, dropConnect));
            _pwconv2 = register_module("pwconv2", Layers.Dense(4 * dim, dim, LayerActivation.Identity, dropConnect));
            _gamma = register_parameter("gamma", new Parameter(torch.full([dim], LayerScaleInit)));
            _dropout = register_module("dropout", new Dropout(dropoutRate));
            _dropPath = register_module("drop_path", dropPath);
        }

        public override Tensor forward(Tensor input)
        {
            var x = _dropout.forward(_dwconv.forward(input));
            x = _norm.forward(x.permute(0, 2, 3, 1)); // (N, C, H, W) → (N, H, W, C)
            x = _dropout.forward(_pwconv1.forward(x));
            x = _dropout.forward(_pwconv2.forward(x));
            x = (_gamma * x).permute(0, 3, 1, 2);
            return input + _dropPath.forward(x);
        }
    }
}
