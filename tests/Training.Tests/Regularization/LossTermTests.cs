using Tracker.Training.Regularization;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Tests.Regularization;

public class LossTermTests
{
    [Fact]
    public void L1AndL2Terms_EqualTheirFormulas_AndSkipBiases()
    {
        using var weight = new Parameter(torch.tensor(new[] { 1.0, -2.0, 0.5, 3.0 }, [2, 2]));
        using var bias = new Parameter(torch.tensor(new[] { 10.0, -10.0 }));
        Parameter[] parameters = [weight, bias];
        using var scope = torch.NewDisposeScope();

        Assert.Equal(0.1 * (1 + 2 + 0.5 + 3), new WeightPenalty(0.1, 0).Compute(parameters)!.ToDouble(), 12);
        Assert.Equal(0.01 * (1 + 4 + 0.25 + 9), new WeightPenalty(0, 0.01).Compute(parameters)!.ToDouble(), 12);
        Assert.Equal(0.1 * 6.5 + 0.01 * 14.25, new WeightPenalty(0.1, 0.01).Compute(parameters)!.ToDouble(), 12);
        Assert.Null(new WeightPenalty(0, 0).Compute(parameters));
    }

    [Fact]
    public void L2Term_HasGradientTwiceLambdaTimesTheWeight()
    {
        using var weight = new Parameter(torch.tensor(new[] { 1.0, -2.0, 0.5, 3.0 }, [2, 2]));
        using (torch.NewDisposeScope()) new WeightPenalty(0, 0.5).Compute([weight])!.backward();
        using var grad = weight.grad!;
        Assert.Equal(new[] { 1.0, -2.0, 0.5, 3.0 }, grad.ToArray<double>());
    }

    [Fact]
    public void RDropLoss_EqualsItsFormulaOnFixedLogits()
    {
        double[] a = [2.0, 0.5, -1.0, 0.1, 0.3, 1.7];
        double[] b = [1.5, 1.0, -0.5, -0.2, 0.9, 1.1];
        long[] y = [0, 2];
        const double alpha = 0.7;
        using var scope = torch.NewDisposeScope();
        var actual = RDrop.Loss(torch.tensor(a, [2, 3]), torch.tensor(b, [2, 3]), torch.tensor(y), alpha).ToDouble();

        double expected = 0;
        for (var row = 0; row < 2; row++)
        {
            var p = Softmax(a.AsSpan(row * 3, 3));
            var q = Softmax(b.AsSpan(row * 3, 3));
            var ce = -Math.Log(p[y[row]]) - Math.Log(q[y[row]]);
            double klPq = 0, klQp = 0;
            for (var k = 0; k < 3; k++)
            {
                klPq += p[k] * Math.Log(p[k] / q[k]);
                klQp += q[k] * Math.Log(q[k] / p[k]);
            }
            expected += (ce + alpha * (klPq + klQp) / 2) / 2; // batch mean
        }
        Assert.Equal(expected, actual, 12);
    }

    [Fact]
    public void RDropLoss_OfIdenticalPasses_IsTwiceTheCrossEntropy()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.randn([4, 5], ScalarType.Float64);
        var targets = torch.tensor(new long[] { 0, 1, 2, 3 });
        var ce = torch.nn.functional.cross_entropy(logits, targets).ToDouble();
        Assert.Equal(2 * ce, RDrop.Loss(logits, logits, targets, alpha: 5).ToDouble(), 12);
    }

    private static double[] Softmax(ReadOnlySpan<double> logits)
    {
        var max = logits[0];
        foreach (var v in logits) max = Math.Max(max, v);
        var exp = new double[logits.Length];
        double sum = 0;
        for (var i = 0; i < logits.Length; i++) sum += exp[i] = Math.Exp(logits[i] - max);
        for (var i = 0; i < exp.Length; i++) exp[i] /= sum;
        return exp;
    }
}
