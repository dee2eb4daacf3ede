using Tracker.Shared;
using Tracker.Training.Regularization;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Models;

/// <summary>Building blocks the model families share.</summary>
internal static class Layers
{
    /// <summary>
    /// A linear layer followed by its activation. With DropConnect settings it is one
    /// <see cref="DropConnectLinear"/> holding the activation, because Gaussian inference samples before it.
    /// </summary>
    public static Module<Tensor, Tensor> Dense(long inFeatures, long outFeatures, LayerActivation activation, DropConnectSettings? dropConnect)
    {
        if (dropConnect is not null)
            return new DropConnectLinear(inFeatures, outFeatures, dropConnect.Rate, dropConnect.Inference, dropConnect.Samples, activation);
        var linear = new Linear(inFeatures, outFeatures);
        return activation switch
        {
            LayerActivation.Identity => linear,
            LayerActivation.ReLU => new Sequential(linear, new ReLU()),
            LayerActivation.GELU => new Sequential(linear, new GELU()),
            _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
        };
    }

    /// <summary>
    /// timm's initialisation for transformers: linear weights ~ N(0, std) (timm truncates at ±2 absolute,
    /// a hundred standard deviations out, so plain normal is the same), zero biases. LayerNorms keep ones and zeros.
    /// </summary>
    public static void InitLinearWeightsNormal(Module root, double std, Func<string, bool>? skip = null)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, module) in root.named_modules())
        {
            if (skip?.Invoke(name) == true) continue;
            var (weight, bias) = WeightAndBias(module);
            if (weight is null) continue;
            weight.normal_(0, std);
            bias?.zero_();
        }
    }

    /// <summary>Xavier-uniform linear weights and zero biases (timm's MLP-Mixer initialisation).</summary>
    public static void InitLinearWeightsXavier(Module root, Func<string, bool>? skip = null)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, module) in root.named_modules())
        {
            if (skip?.Invoke(name) == true) continue;
            var (weight, bias) = WeightAndBias(module);
            if (weight is null) continue;
            var (fanOut, fanIn) = (weight.size(0), weight.size(1));
            var bound = Math.Sqrt(6.0 / (fanIn + fanOut));
            weight.uniform_(-bound, bound);
            bias?.zero_();
        }
    }

    private static (Parameter? Weight, Parameter? Bias) WeightAndBias(Module module) => module switch
    {
        Linear linear => (linear.weight, linear.bias),
        DropConnectLinear dropConnect => (dropConnect.weight, dropConnect.bias),
        _ => (null, null),
    };

    /// <summary>LayerNorm over the channels of an [N, C, H, W] tensor (ConvNeXt's channels_first), via channels-last.</summary>
    public static Tensor ChannelsFirstLayerNorm(LayerNorm norm, Tensor x)
    {
        using var channelsLast = x.permute(0, 2, 3, 1);
        using var normalized = norm.forward(channelsLast);
        return normalized.permute(0, 3, 1, 2);
    }
}

/// <summary>
/// timm's Mlp: fc1 → GELU → drop1 → fc2 → drop2, the feed-forward part of a transformer or mixer block.
/// </summary>
internal sealed class FeedForward : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _fc1, _fc2;
    private readonly Dropout _drop1, _drop2;

    public FeedForward(long features, long hiddenFeatures, double dropoutRate, DropConnectSettings? dropConnect)
    {
        _fc1 = register_module("fc1", Layers.Dense(features, hiddenFeatures, LayerActivation.GELU, dropConnect));
        _drop1 = register_module("drop1", new Dropout(dropoutRate));
        _fc2 = register_module("fc2", Layers.Dense(hiddenFeatures, features, LayerActivation.Identity, dropConnect));
        _drop2 = register_module("drop2", new Dropout(dropoutRate));
    }

    public override Tensor forward(Tensor input)
    {
        // Training on the CPU with plain linear layers: one op that recomputes the activated hidden tensor in
        // backward instead of keeping it (same values and masks; decision 0055).
        if (training && input.device.Type == DeviceType.CPU && torch.is_grad_enabled() &&
            _fc1 is Sequential { Count: 2 } fc1 && fc1[0] is Linear { bias: { } b1 } linear1 && fc1[1] is GELU &&
            _fc2 is Linear { bias: { } b2 } linear2)
            return torch.nn.functional.recomputed_mlp(input, linear1.weight, b1, linear2.weight, b2, _drop1.p, _drop2.p);
        // Each intermediate is freed as soon as the next is made (autograd keeps what backward needs).
        using var hidden = _fc1.forward(input);
        using var dropped = _drop1.forward(hidden);
        using var output = _fc2.forward(dropped);
        return _drop2.forward(output);
    }
}
