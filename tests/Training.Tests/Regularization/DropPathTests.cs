using Tracker.Training.Regularization;
using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Regularization;

public class DropPathTests
{
    [Fact]
    public void Training_DropsWholeSamplesAtTheRate_AndScalesTheKeptOnesByInverseKeep()
    {
        const double p = 0.3;
        const int samples = 4000;
        using var scope = torch.NewDisposeScope();
        using var dropPath = new DropPath(p);
        var input = torch.rand([samples, 3, 5]) + 1; // strictly positive, so a zero can only come from the mask

        var ratio = (dropPath.forward(input) / input).reshape(samples, 15).ToArray<float>();

        var dropped = 0;
        for (var i = 0; i < samples; i++)
        {
            var row = ratio.AsSpan(i * 15, 15);
            var first = row[0];
            Assert.True(first == 0 || Math.Abs(first - 1 / (1 - p)) < 1e-5, $"sample {i} was scaled by {first}");
            foreach (var value in row) Assert.Equal(first, value, 5); // all or nothing within a sample
            if (first == 0) dropped++;
        }
        // Binomial standard deviation is about 0.007 here.
        Assert.InRange((double)dropped / samples, p - 0.04, p + 0.04);
    }

    [Fact]
    public void EvalOrZeroRate_PassesInputThroughUnchanged()
    {
        using var scope = torch.NewDisposeScope();
        var input = torch.randn([64, 4, 2, 2]);
        using var dropPath = new DropPath(0.5);
        dropPath.eval();
        Assert.Equal(input.ToArray<float>(), dropPath.forward(input).ToArray<float>());

        dropPath.train();
        dropPath.p = 0;
        Assert.Equal(input.ToArray<float>(), dropPath.forward(input).ToArray<float>());
    }

    [Fact]
    public void RateOne_DropsEverySampleWithoutNaN()
    {
        using var scope = torch.NewDisposeScope();
        using var dropPath = new DropPath(1);
        var output = dropPath.forward(torch.randn([16, 8])).ToArray<float>();
        Assert.All(output, value => Assert.Equal(0f, value));
    }

    [Fact]
    public void Gradient_FlowsOnlyThroughKeptSamples()
    {
        using var scope = torch.NewDisposeScope();
        using var dropPath = new DropPath(0.5);
        var input = torch.ones([200, 3]).requires_grad_();
        var output = dropPath.forward(input);
        output.sum().backward();
        // d(sum)/dx equals the per-sample factor the forward pass applied.
        Assert.Equal(output.detach().ToArray<float>(), input.grad!.ToArray<float>());
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    public void ProbabilityOutsideUnitInterval_IsRejected(double p)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropPath(p));
        using var dropPath = new DropPath();
        Assert.Throws<ArgumentOutOfRangeException>(() => dropPath.p = p);
    }
}
