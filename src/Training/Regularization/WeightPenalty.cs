using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Regularization;

/// <summary>
/// L1, L2 and elastic-net penalties added to the loss: l1·Σ|w| + l2·Σw². They apply to weight
/// matrices and kernels (parameters of 2 or more dimensions) and skip biases and normalization
/// scales, the same split timm uses for weight decay. Distinct from AdamW's decoupled decay.
/// </summary>
public sealed class WeightPenalty(double l1, double l2)
{
    public bool IsActive => l1 > 0 || l2 > 0;

    public static bool Applies(Parameter parameter) => parameter.dim() >= 2;

    /// <summary>The penalty as a scalar tensor on the parameters' graph; null when inactive.</summary>
    public Tensor? Compute(IEnumerable<Parameter> parameters)
    {
        if (!IsActive) return null;
        Tensor? total = null;
        foreach (var parameter in parameters.Where(Applies))
        {
            var term = l1 > 0 && l2 > 0
                ? parameter.abs().sum() * l1 + parameter.square().sum() * l2
                : l1 > 0 ? parameter.abs().sum() * l1 : parameter.square().sum() * l2;
            total = total is null ? term : total + term;
        }
        return total;
    }
}
