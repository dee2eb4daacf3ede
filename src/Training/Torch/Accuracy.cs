namespace Tracker.Training.Torch;

/// <summary>Classification accuracy from logits, the way the paper reports it (top-1 and top-5).</summary>
public static class Accuracy
{
    /// <summary>Number of rows whose target is among the k largest logits.</summary>
    public static long CorrectTopK(Tensor logits, Tensor targets, int k)
    {
        using var scope = torch.NewDisposeScope();
        return CorrectTopKOnDevice(logits, targets, k).ToInt64();
    }

    /// <summary>The same count as a float64 scalar tensor on the logits' device, without waiting for it (intermediates go to the caller's dispose scope).</summary>
    public static Tensor CorrectTopKOnDevice(Tensor logits, Tensor targets, int k)
    {
        var (_, indices) = logits.topk(Math.Min(k, logits.size(-1)), dim: 1);
        return indices.eq(targets.unsqueeze(1)).sum().to(ScalarType.Float64);
    }

    /// <summary>Fraction of rows (0..1) whose target is among the k largest logits.</summary>
    public static double TopK(Tensor logits, Tensor targets, int k) => (double)CorrectTopK(logits, targets, k) / logits.size(0);
}
