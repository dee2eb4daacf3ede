using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Regularization;

/// <summary>
/// Stochastic depth for one residual branch (timm's DropPath): in training each sample's branch output
/// is zeroed with probability <see cref="p"/> and the kept ones are scaled by 1/(1-p), so the expected
/// output is unchanged. The probability may change between steps (early and late s.d.).
/// </summary>
public sealed class DropPath(double p = 0) : Module<Tensor, Tensor>
{
    private double _p = Probability.Check(p, "drop path");

    public double p
    {
        get => _p;
        set => _p = Probability.Check(value, "drop path");
    }


    public override Tensor forward(Tensor input)
    {
        // As Dropout: in eval or at p = 0 nothing is drawn, so the RNG stream is not consumed.
        if (!training || _p == 0) return input.alias();
        var keep = 1 - _p;
        var maskShape = new long[input.dim()];
        Array.Fill(maskShape, 1L);
        maskShape[0] = input.size(0);
        using var template = torch.empty(maskShape, input.dtype, input.device);
        using var mask = torch.bernoulli(template, keep);
        // keep = 0 drops every branch; dividing by it would turn the zeros into NaN.
        if (keep == 0) return input * mask;
        using var scaledMask = mask.div(keep);
        return input * scaledMask;
    }
}
