namespace Tracker.Training.Torch.Modules;

/// <summary>Layer normalization over the trailing dimensions, with a learned scale (1) and shift (0).</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    private readonly long[] _normalizedShape;
    private readonly double _eps;

    public LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, Device? device = null)
    {
        _normalizedShape = normalizedShape;
        _eps = eps;
        if (!elementwiseAffine) return;
        weight = register_parameter(nameof(weight), new Parameter(torch.ones(normalizedShape, device: device)));
        bias = register_parameter(nameof(bias), new Parameter(torch.zeros(normalizedShape, device: device)));
    }

    public LayerNorm(long normalizedSize, double eps = 1e-5) : this([normalizedSize], eps)
    {
    }

    public Parameter? weight { get; }

    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) => torch.nn.functional.layer_norm(input, _normalizedShape, weight, bias, _eps);
}
