using Tracker.Training.Regularization;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Models;

/// <summary>A drop path module and where its block sits in the network: its rate is the model's rate times <see cref="DepthFraction"/>.</summary>
public sealed record DepthScaledDropPath(DropPath Layer, double DepthFraction);

/// <summary>
/// An image classifier whose regularizers the training engine drives: forward(x) maps [B, C, H, W]
/// images to logits [B, classes], and the dropout and stochastic depth rates can be changed before
/// every optimizer step (early and late schedules) through <see cref="SetDropoutRate"/> and
/// <see cref="SetDropPathRate"/>.
/// </summary>
public abstract class ClassifierModel : Module<Tensor, Tensor>
{
    private readonly List<DepthScaledDropPath> _dropPaths = [];
    private Dropout[]? _dropouts;
    private DropConnectLinear[]? _dropConnects;

    protected ClassifierModel(long inputChannels, long imageSize, long classes)
    {
        if (inputChannels < 1) throw new ArgumentOutOfRangeException(nameof(inputChannels), inputChannels, "A model needs at least one input channel.");
        if (imageSize < 1) throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, "The image size must be positive.");
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A classifier needs at least two classes.");
        (InputChannels, ImageSize, Classes) = (inputChannels, imageSize, classes);
    }

    public long InputChannels { get; }

    /// <summary>Height and width of the (square) input images.</summary>
    public long ImageSize { get; }

    public long Classes { get; }

    /// <summary>Every dropout module, found in the module tree (what the official code's update_dropout visits).</summary>
    public IReadOnlyList<Dropout> DropoutLayers => _dropouts ??= ModulesOfType<Dropout>();

    /// <summary>Every drop path module with its depth fraction; empty for models without residual blocks.</summary>
    public IReadOnlyList<DepthScaledDropPath> DropPathLayers => _dropPaths;

    /// <summary>The DropConnect layers; empty unless the model was built with DropConnect settings.</summary>
    public IReadOnlyList<DropConnectLinear> DropConnectLayers => _dropConnects ??= ModulesOfType<DropConnectLinear>();

    public bool HasDropPath => _dropPaths.Count > 0;

    /// <summary>The rate last given to <see cref="SetDropoutRate"/>.</summary>
    public double DropoutRate { get; private set; }

    /// <summary>The rate of the deepest block, last given to <see cref="SetDropPathRate"/>.</summary>
    public double DropPathRate { get; private set; }

    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Sets every dropout module's probability (the official code uses one rate for all of them).</summary>
    public void SetDropoutRate(double rate)
    {
        if (rate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        foreach (var dropout in DropoutLayers) dropout.p = rate;
        DropoutRate = rate;
    }

    /// <summary>Sets stochastic depth: block i of n gets rate·i/(n-1), from 0 at the first block to the rate at the last.</summary>
    public void SetDropPathRate(double rate)
    {
        if (rate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The drop path rate must be in [0, 1).");
        if (rate > 0 && !HasDropPath)
            throw new InvalidOperationException($"{GetType().Name} has no residual blocks, so stochastic depth cannot be applied to it.");
        foreach (var (layer, fraction) in _dropPaths) layer.p = rate * fraction;
        DropPathRate = rate;
    }

    /// <summary>
    /// A drop path module for block <paramref name="blockIndex"/> of <paramref name="blockCount"/> (counted over the
    /// whole network), recorded for <see cref="SetDropPathRate"/>. As timm's linspace(0, rate, n), a lone block gets 0.
    /// </summary>
    protected DropPath NewDropPath(int blockIndex, int blockCount)
    {
        if (blockIndex < 0 || blockIndex >= blockCount) throw new ArgumentOutOfRangeException(nameof(blockIndex));
        var fraction = blockCount > 1 ? (double)blockIndex / (blockCount - 1) : 0;
        var layer = new DropPath();
        _dropPaths.Add(new DepthScaledDropPath(layer, fraction));
        return layer;
    }

    /// <summary>Checks an input batch against what the model was built for, so a mismatch names the cause.</summary>
    protected void CheckInput(Tensor input)
    {
        var shape = input.shape;
        if (shape.Length != 4 || shape[1] != InputChannels || shape[2] != ImageSize || shape[3] != ImageSize)
            throw new ArgumentException(
                $"{GetType().Name} expects images [B, {InputChannels}, {ImageSize}, {ImageSize}], got {Tensor.Describe(shape)}.", nameof(input));
    }

    private T[] ModulesOfType<T>() where T : Module => named_modules().Select(m => m.module).OfType<T>().Distinct().ToArray();
}
