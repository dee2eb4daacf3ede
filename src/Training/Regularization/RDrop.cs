using Tracker.Training.Torch;
using F = Tracker.Training.Torch.torch.nn.functional;

namespace Tracker.Training.Regularization;

/// <summary>
/// R-Drop (Liang et al., 2021): two forward passes with independent dropout masks;
/// loss = CE1 + CE2 + alpha · (KL(P1‖P2) + KL(P2‖P1)) / 2, each KL summed over classes and
/// averaged over the batch.
/// </summary>
public static class RDrop
{
    public static Tensor Loss(Tensor logits1, Tensor logits2, Tensor targets, double alpha, double labelSmoothing = 0)
    {
        var ce = F.cross_entropy(logits1, targets, labelSmoothing) + F.cross_entropy(logits2, targets, labelSmoothing);
        var logP1 = F.log_softmax(logits1, 1);
        var logP2 = F.log_softmax(logits2, 1);
        return ce + SymmetricKl(logP1, logP2) * alpha;
    }

    /// <summary>(KL(P1‖P2) + KL(P2‖P1)) / 2, batch mean, from log-probabilities.</summary>
    public static Tensor SymmetricKl(Tensor logP1, Tensor logP2)
    {
        var batch = logP1.size(0);
        // kl_div(input = log q, target = log p) = Σ p (log p − log q) = KL(p‖q).
        var kl12 = F.kl_div(logP2, logP1, Reduction.Sum, logTarget: true);
        var kl21 = F.kl_div(logP1, logP2, Reduction.Sum, logTarget: true);
        return (kl12 + kl21) / (2.0 * batch);
    }
}
