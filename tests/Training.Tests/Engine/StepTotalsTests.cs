using Tracker.Training.Engine;
using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Engine;

public class StepTotalsTests
{
    // Two classes; the first row's top logit is class 0, the second row's class 1.
    private static Tensor Logits() => torch.tensor(new[] { 2f, 1f, 0f, 3f }, [2, 2]);

    [Fact]
    public void Steps_AddTheirLossTimesBatchSizeAndTheirCorrectPredictions()
    {
        using var totals = new StepTotals(torch.CPU, stepsBefore: 0);
        using var logits = Logits();
        using var bothRight = torch.tensor(new long[] { 0, 1 });
        using var oneRight = torch.tensor(new long[] { 1, 1 });
        using var loss1 = torch.tensor(new[] { 0.5f }, []);
        using var loss2 = torch.tensor(new[] { 1.25f }, []);

        totals.Add(loss1, loss1, logits, bothRight, batchSize: 2);
        totals.Add(loss2, loss2, logits, oneRight, batchSize: 2);
        var reading = totals.Read();

        Assert.Equal(0.5 * 2 + 1.25 * 2, reading.LossSum, 12);
        Assert.Equal(3, reading.Correct);
        Assert.Null(reading.FirstBadStep);
    }

    [Fact]
    public void TheFirstNonFiniteLoss_IsKeptWithItsRunStep_AndLaterOnesDoNotReplaceIt()
    {
        using var totals = new StepTotals(torch.CPU, stepsBefore: 40); // a resumed run: its next step is 41
        using var logits = Logits();
        using var labels = torch.tensor(new long[] { 0, 1 });
        using var finite = torch.tensor(new[] { 0.7f }, []);
        using var nan = torch.tensor(new[] { float.NaN }, []);
        using var infinite = torch.tensor(new[] { float.PositiveInfinity }, []);

        totals.Add(finite, finite, logits, labels, 2);
        totals.Add(finite, finite, logits, labels, 2);
        Assert.Null(totals.Read().FirstBadStep);
        // The divergence check watches the loss minimised (here infinite), not only the classification part.
        totals.Add(finite, infinite, logits, labels, 2);
        totals.Add(nan, nan, logits, labels, 2);
        var reading = totals.Read();

        Assert.Equal(43, reading.FirstBadStep);
        Assert.True(double.IsPositiveInfinity(reading.BadLoss));
    }

    [Fact]
    public void ANewEpoch_StartsItsSumsAtZero_ButRemembersADivergence()
    {
        using var totals = new StepTotals(torch.CPU, stepsBefore: 0);
        using var logits = Logits();
        using var labels = torch.tensor(new long[] { 0, 1 });
        using var nan = torch.tensor(new[] { float.NaN }, []);
        using var finite = torch.tensor(new[] { 0.25f }, []);
        totals.Add(finite, nan, logits, labels, 2);

        totals.ResetEpoch();
        totals.Add(finite, finite, logits, labels, 2);
        var reading = totals.Read();

        Assert.Equal(0.5, reading.LossSum, 12);
        Assert.Equal(2, reading.Correct);
        Assert.Equal(1, reading.FirstBadStep);
    }
}
