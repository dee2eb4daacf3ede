using Tracker.Training.Data;
using Tracker.Training.Engine.Analysis;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Tests.Engine;

public class GradientAnalysisTests
{
    /// <summary>prediction = x·w, so the gradient of mean(prediction) over a batch is the batch mean of x.</summary>
    private sealed class Dot : Module<Tensor, Tensor>
    {
        public Dot(double[] start) => w = register_parameter(nameof(w), new Parameter(torch.tensor(start)));

        public Parameter w { get; }

        public override Tensor forward(Tensor input) => input.matmul(w);
    }

    private static Tensor MeanLoss(Tensor prediction, Tensor targets) => prediction.mean();

    private static Batch BatchOf(params double[][] rows) =>
        new(torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]), torch.zeros([rows.Length], ScalarType.Int64), rows.Length);

    [Fact]
    public void GradientNormAndDistanceFromInit_EqualHandComputedValues()
    {
        using var model = new Dot([1.0, 2.0]);
        using var analysis = new GradientAnalysis(model.parameters().ToList());
        using var scope = torch.NewDisposeScope();
        Assert.Equal(0.0, analysis.DistanceFromInit());

        MeanLoss(model.forward(BatchOf([3.0, 4.0]).Images), null!).backward(); // gradient (3, 4)
        Assert.Equal(5.0, analysis.GradientNorm(), 12);

        using (torch.no_grad()) model.w.copy_(torch.tensor(new[] { 4.0, 6.0 })); // moved by (3, 4)
        Assert.Equal(5.0, analysis.DistanceFromInit(), 12);
    }

    [Fact]
    public void DirectionVarianceAndError_EqualHandComputedCosineDistances()
    {
        using var model = new Dot([0.5, -0.5]);
        using var analysis = new GradientAnalysis(model.parameters().ToList());
        using var scope = torch.NewDisposeScope();
        // Mini-batch gradients: (1, 0), (0, 1), (1, 1)/... each batch's mean row.
        Batch[] miniBatches = [BatchOf([1.0, 0.0]), BatchOf([0.0, 2.0]), BatchOf([1.0, 1.0], [1.0, 1.0])];
        // Whole set: rows (1,0) and (1,2) => mean gradient (1, 1).
        Batch[] wholeSet = [BatchOf([1.0, 0.0]), BatchOf([1.0, 2.0])];

        var (variance, error) = analysis.GradientDirections(model, MeanLoss, miniBatches, wholeSet);

        var s = 1 / Math.Sqrt(2);
        // Pairs: (1,0)-(0,1): cos 0; (1,0)-(1,1): cos s; (0,1)-(1,1): cos s.
        Assert.Equal(((1 - 0) + (1 - s) + (1 - s)) / 3, variance, 6);
        // To (1,1): cos s, s, 1.
        Assert.Equal(((1 - s) + (1 - s) + 0) / 3, error, 6);
        Assert.Null(model.w.grad); // gradients cleared afterwards
    }

    [Fact]
    public void GradientDirections_DoNotDisturbTheRandomStreamOrTheMode()
    {
        // Dropout draws masks in the mini-batch passes: exactly what must not shift the stream.
        using var model = torch.nn.Sequential(torch.nn.Dropout(0.5), new Dot([0.5, -0.5]));
        using var analysis = new GradientAnalysis(model.parameters().ToList());
        using var scope = torch.NewDisposeScope();
        model.eval();
        torch.manual_seed(3);
        var expected = torch.rand([4]).ToArray<float>();
        torch.manual_seed(3);
        analysis.GradientDirections(model, MeanLoss, [BatchOf([1.0, 0.0]), BatchOf([0.0, 1.0])], [BatchOf([1.0, 1.0])]);
        Assert.Equal(expected, torch.rand([4]).ToArray<float>());
        Assert.False(model.training);
    }
}
