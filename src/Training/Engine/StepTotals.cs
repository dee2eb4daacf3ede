using Tracker.Training.Torch;

namespace Tracker.Training.Engine;

/// <summary>
/// The running sums of an epoch's training steps, kept on the training device: the classification loss, the
/// correct top-1 predictions, and the first step whose loss was not finite with that loss. Adding a step queues a
/// few small kernels and never waits for the device; <see cref="Read"/> waits once. A GPU step that copied its loss
/// to the host every step would stall the host behind the device; a captured CUDA graph cannot copy at all.
/// </summary>
public sealed class StepTotals : IDisposable
{
    private readonly Tensor _lossSum, _correct, _stepsCounted, _firstBadStep, _badLoss, _one, _finiteLossSum, _finiteSamples, _zero64, _one64;

    /// <param name="stepsBefore">Steps the run took before these totals start (a resumed run), so bad steps carry the run's step number.</param>
    public StepTotals(Device device, long stepsBefore)
    {
        _lossSum = torch.zeros([], ScalarType.Float64, device).DetachFromDisposeScope();
        _correct = torch.zeros([], ScalarType.Float64, device).DetachFromDisposeScope(); // counts, exact in float64
        _stepsCounted = torch.full([], stepsBefore, ScalarType.Int64, device).DetachFromDisposeScope();
        _firstBadStep = torch.full([], -1, ScalarType.Int64, device).DetachFromDisposeScope();
        _badLoss = torch.zeros([], ScalarType.Float64, device).DetachFromDisposeScope();
        _one = torch.full([], 1, ScalarType.Int64, device).DetachFromDisposeScope();
        _finiteLossSum = torch.zeros([], ScalarType.Float64, device).DetachFromDisposeScope();
        _finiteSamples = torch.zeros([], ScalarType.Float64, device).DetachFromDisposeScope();
        // Made once: a captured CUDA graph replays the same memory, so no constant is made inside a step.
        _zero64 = torch.zeros([], ScalarType.Float64, device).DetachFromDisposeScope();
        _one64 = torch.full([], 1, ScalarType.Float64, device).DetachFromDisposeScope();
    }

    /// <summary>Adds one optimizer step: its classification loss (batch mean), the loss it minimised (the divergence check's), its logits and labels.</summary>
    public void Add(Tensor classification, Tensor loss, Tensor logits, Tensor labels, int batchSize)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        _lossSum.add_(classification.detach().to(ScalarType.Float64), alpha: batchSize);
        _correct.add_(Accuracy.CorrectTopKOnDevice(logits.detach(), labels, 1));
        _stepsCounted.add_(_one);
        // Only the first non-finite loss is kept: where no bad step was seen yet and this one is bad, take it.
        var total = loss.detach().to(ScalarType.Float64);
        var bad = total.isfinite().eq(0);
        var fresh = _firstBadStep.lt(0);
        // The epoch's sums up to the step before the first bad one: the last finite values a diverged run reports.
        var beforeBad = torch.where(fresh, bad.eq(0), fresh);
        _finiteLossSum.add_(torch.where(beforeBad, classification.detach().to(ScalarType.Float64), _zero64), alpha: batchSize);
        _finiteSamples.add_(torch.where(beforeBad, _one64, _zero64), alpha: batchSize);
        var stepIfBad = torch.where(bad, _stepsCounted, _firstBadStep);
        var lossIfBad = torch.where(bad, total, _badLoss);
        _badLoss.copy_(torch.where(fresh, lossIfBad, _badLoss));
        _firstBadStep.copy_(torch.where(fresh, stepIfBad, _firstBadStep));
    }

    /// <summary>Starts a new epoch's sums (in place: a captured graph keeps adding into the same memory).</summary>
    public void ResetEpoch()
    {
        _lossSum.fill_(0);
        _correct.fill_(0);
        _finiteLossSum.fill_(0);
        _finiteSamples.fill_(0);
    }

    /// <summary>Waits for the device once and returns the sums so far.</summary>
    public StepTotalsReading Read()
    {
        using var scope = torch.NewDisposeScope();
        var values = torch.stack([_lossSum, _correct, _firstBadStep.to(ScalarType.Float64), _badLoss, _finiteLossSum, _finiteSamples]).ToArray<double>();
        return new StepTotalsReading(values[0], (long)values[1], values[2] < 0 ? null : (long)values[2], values[3], values[4], (long)values[5]);
    }

    public void Dispose()
    {
        foreach (var tensor in new[] { _lossSum, _correct, _stepsCounted, _firstBadStep, _badLoss, _one, _finiteLossSum, _finiteSamples, _zero64, _one64 }) tensor.Dispose();
    }
}

/// <param name="LossSum">Σ batch-mean classification loss × batch size over the epoch so far.</param>
/// <param name="Correct">Top-1 correct predictions over the epoch so far.</param>
/// <param name="FirstBadStep">The run's step number (1-based) whose loss was first NaN or infinite; null while every loss was finite.</param>
/// <param name="BadLoss">That loss.</param>
/// <param name="FiniteLossSum">Like <paramref name="LossSum"/>, over the epoch's steps before the first bad one.</param>
/// <param name="FiniteSamples">The examples of those steps.</param>
public sealed record StepTotalsReading(double LossSum, long Correct, long? FirstBadStep, double BadLoss, double FiniteLossSum, long FiniteSamples);
