namespace Tracker.Training.Torch.Modules;

/// <summary>2-D convolution with square kernels, initialised as PyTorch does (U(-1/√fan_in, 1/√fan_in)).</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    private readonly long _stride, _padding, _dilation, _groups;

    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1,
        long groups = 1, bool hasBias = true, Device? device = null)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Channels ({inChannels} in, {outChannels} out) must both divide by groups ({groups}).");
        (_stride, _padding, _dilation, _groups) = (stride, padding, dilation, groups);
        var fanIn = inChannels / groups * kernelSize * kernelSize;
        var bound = 1.0 / Math.Sqrt(fanIn);
        weight = register_parameter(nameof(weight),
            new Parameter(torch.empty([outChannels, inChannels / groups, kernelSize, kernelSize], device: device).uniform_(-bound, bound)));
        if (hasBias) bias = register_parameter(nameof(bias), new Parameter(torch.empty([outChannels], device: device).uniform_(-bound, bound)));
    }

    public Parameter weight { get; }

    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) =>
        torch.nn.functional.conv2d(input, weight, bias, _stride, _padding, _dilation, _groups);
}
