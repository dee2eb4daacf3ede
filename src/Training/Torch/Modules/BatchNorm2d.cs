namespace Tracker.Training.Torch.Modules;

/// <summary>Batch normalization over (N, H, W) per channel, keeping running statistics for evaluation.</summary>
public sealed class BatchNorm2d : Module<Tensor, Tensor>
{
    private readonly double _eps, _momentum;

    public BatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1, Device? device = null)
    {
        (_eps, _momentum) = (eps, momentum);
        weight = register_parameter(nameof(weight), new Parameter(torch.ones([features], device: device)));
        bias = register_parameter(nameof(bias), new Parameter(torch.zeros([features], device: device)));
        running_mean = register_buffer(nameof(running_mean), torch.zeros([features], device: device));
        running_var = register_buffer(nameof(running_var), torch.ones([features], device: device));
    }

    public Parameter weight { get; }

    public Parameter bias { get; }

    public Tensor running_mean { get; }

    public Tensor running_var { get; }

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4) throw new ArgumentException($"BatchNorm2d expects (N, C, H, W) input, got {input}.");
        return torch.nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, _momentum, _eps);
    }
}
