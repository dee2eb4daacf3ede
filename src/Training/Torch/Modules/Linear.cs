namespace Tracker.Training.Torch.Modules;

/// <summary>y = x Wᵀ + b, initialised as PyTorch does: U(-1/√in, 1/√in) for weight and bias.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(long inFeatures, long outFeatures, bool hasBias = true, Device? device = null)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var bound = 1.0 / Math.Sqrt(inFeatures);
        weight = register_parameter(nameof(weight), new Parameter(torch.empty([outFeatures, inFeatures], device: device).uniform_(-bound, bound)));
        if (hasBias) bias = register_parameter(nameof(bias), new Parameter(torch.empty([outFeatures], device: device).uniform_(-bound, bound)));
    }

    public long InFeatures { get; }

    public long OutFeatures { get; }

    public Parameter weight { get; }

    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) => torch.nn.functional.linear(input, weight, bias);
}
