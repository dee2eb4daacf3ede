using Tracker.Shared;
using Tracker.Training.Regularization;
using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Regularization;

public class DropConnectLinearTests
{
    private static double[] Expected(float[] weight, float[]? bias, float[] input, int batch, int inFeatures, int outFeatures,
        Func<double, double> transform)
    {
        var result = new double[batch * outFeatures];
        for (var n = 0; n < batch; n++)
            for (var o = 0; o < outFeatures; o++)
            {
                double sum = 0;
                for (var i = 0; i < inFeatures; i++) sum += (double)weight[o * inFeatures + i] * input[n * inFeatures + i];
                result[n * outFeatures + o] = transform(sum) + (bias?[o] ?? 0);
            }
        return result;
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.2)]
    public void MeanInference_IsKeepTimesWeightProductPlusBias(double rate)
    {
        using var scope = torch.NewDisposeScope();
        using var layer = new DropConnectLinear(7, 5, rate, DropConnectInference.Mean);
        layer.eval();
        var input = torch.randn([3, 7]);

        var actual = layer.forward(input).ToArray<float>();

        var keep = 1 - rate;
        var expected = Expected(layer.weight.ToArray<float>(), layer.bias!.ToArray<float>(), input.ToArray<float>(), 3, 7, 5, s => keep * s);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5); // float32 against double: a tolerance, not rounding
    }

    [Fact]
    public void MeanInference_AppliesTheActivationAfterTheMean()
    {
        using var scope = torch.NewDisposeScope();
        using var layer = new DropConnectLinear(6, 40, 0.5, DropConnectInference.Mean, activation: LayerActivation.ReLU);
        layer.eval();
        var input = torch.randn([4, 6]);

        var actual = layer.forward(input).ToArray<float>();

        var expected = Expected(layer.weight.ToArray<float>(), layer.bias!.ToArray<float>(), input.ToArray<float>(), 4, 6, 40, s => 0.5 * s);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(Math.Max(0, expected[i]), actual[i], 1e-5);
        Assert.Contains(actual, value => value == 0);
    }

    [Fact]
    public void Training_MasksIndividualWeightsWithoutRescaling()
    {
        const double rate = 0.3;
        const int outFeatures = 3000;
        using var scope = torch.NewDisposeScope();
        using var layer = new DropConnectLinear(2, outFeatures, rate, hasBias: false);
        // Input e_0 reads out the first weight column: each entry is either w or 0, never w / keep.
        var output = layer.forward(torch.tensor(new float[] { 1, 0 }, [1, 2])).ToArray<float>();
        var column = layer.weight.select(1, 0).ToArray<float>();

        var dropped = 0;
        for (var o = 0; o < outFeatures; o++)
        {
            if (output[o] == 0) dropped++;
            else Assert.Equal(column[o], output[o]);
        }
        Assert.InRange((double)dropped / outFeatures, rate - 0.04, rate + 0.04);
    }

    [Fact]
    public void Training_DrawsAFreshMaskEveryForwardPass()
    {
        using var scope = torch.NewDisposeScope();
        using var layer = new DropConnectLinear(10, 10, 0.5);
        var input = torch.randn([2, 10]);
        Assert.NotEqual(layer.forward(input).ToArray<float>(), layer.forward(input).ToArray<float>());
    }

    [Fact]
    public void GaussianInference_ApproachesTheMonteCarloAverageOfMaskedPasses()
    {
        const int inFeatures = 200, outFeatures = 30, batch = 4, passes = 4000;
        using var scope = torch.NewDisposeScope();
        using var layer = new DropConnectLinear(inFeatures, outFeatures, 0.5, DropConnectInference.Gaussian, samples: passes,
            activation: LayerActivation.ReLU);
        var input = torch.randn([batch, inFeatures]);

        var monteCarlo = new double[batch * outFeatures];
        using (torch.no_grad())
        {
            for (var pass = 0; pass < passes; pass++)
            {
                using var step = torch.NewDisposeScope();
                var output = layer.forward(input).ToArray<float>();
                for (var i = 0; i < output.Length; i++) monteCarlo[i] += output[i] / (double)passes;
            }
            layer.eval();
            var gaussian = layer.forward(input).ToArray<float>();
            layer.Inference = DropConnectInference.Mean;
            var mean = layer.forward(input).ToArray<float>();

            // The moment-matched Gaussian is close to the true average; the mean rule (relu of the mean) is not.
            var gaussianError = monteCarlo.Zip(gaussian, (a, b) => Math.Abs(a - b)).Max();
            var meanRuleError = monteCarlo.Zip(mean, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(gaussianError < 0.03, $"Gaussian inference is {gaussianError} from the Monte Carlo average, mean rule {meanRuleError}");
            Assert.True(meanRuleError > 2 * gaussianError, $"mean rule error {meanRuleError}, Gaussian error {gaussianError}");
        }
    }

    [Fact]
    public void GaussianInference_WithoutActivation_ReturnsTheMeanExactly()
    {
        using var scope = torch.NewDisposeScope();
        using var layer = new DropConnectLinear(8, 6, 0.4, DropConnectInference.Gaussian, samples: 3);
        layer.eval();
        var input = torch.randn([5, 8]);
        var gaussian = layer.forward(input).ToArray<float>();
        layer.Inference = DropConnectInference.Mean;
        Assert.Equal(layer.forward(input).ToArray<float>(), gaussian);
    }

    [Fact]
    public void GaussianInference_PassesGradientsToWeights()
    {
        using var scope = torch.NewDisposeScope();
        using var layer = new DropConnectLinear(8, 6, 0.4, DropConnectInference.Gaussian, samples: 4, activation: LayerActivation.GELU);
        layer.eval();
        layer.forward(torch.randn([5, 8])).sum().backward();
        Assert.NotNull(layer.weight.grad);
        Assert.NotNull(layer.bias!.grad);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void RateOutsideZeroToOne_IsRejected(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropConnectLinear(2, 2, rate));

    [Fact]
    public void ZeroSamples_IsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropConnectLinear(2, 2, 0.5, samples: 0));
}
