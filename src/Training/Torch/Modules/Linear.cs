namespace Tracker.Training.Torch.Modules;

/// <summary>y = x Wᵀ + b, initialised as PyTorch does: U(-1/√in, 1/√in) for weight and bias.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(long inFeatures, long outFeatures, bool hasBias = true, Device? device = null)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        weight = register_parameter(nameof(weight), new Parameter(InitialValues([outFeatures, inFeatures], inFeatures, device)));
        if (hasBias) bias = register_parameter(nameof(bias), new Parameter(InitialValues([outFeatures], inFeatures, device)));
    }

    /// <summary>PyTorch's initialisation for a linear layer's weight or bias: U(-1/√in, 1/√in).</summary>
    public static Tensor InitialValues(long[] shape, long inFeatures, Device? device = null)
    {
        var bound = 1.0 / Math.Sqrt(inFeatures);
        return torch.empty(shape, device: device).uniform_(-bound, bound);
    }

    public long InFeatures { get; }

    public long OutFeatures { get; }

    public Parameter weight { get; }

    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) => torch.nn.functional.linear(input, weight, bias);
}
