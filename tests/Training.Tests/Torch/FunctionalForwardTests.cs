using Tracker.Training.Torch;
using F = Tracker.Training.Torch.torch.nn.functional;

namespace Tracker.Training.Tests.Torch;

/// <summary>torch.nn.functional and Accuracy against direct computations in plain C#.</summary>
public class FunctionalForwardTests
{
    private const double Tight = 1e-12;

    // ---- activations ----

    [Theory]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(-1.5, -0.9661051464753108)]
    public void ReferenceErf_MatchesPublishedValues(double x, double published) =>
        Assert.Equal(published, Reference.Erf(x), 1e-14);

    [Fact]
    public void Gelu_IsXTimesTheNormalCdf_ByErf()
    {
        using var scope = torch.NewDisposeScope();
        var input = Reference.Uniform(40, 1, -5, 5);
        var result = F.gelu(torch.tensor(input));
        Reference.AssertClose(input.Select(x => x * 0.5 * (1 + Reference.Erf(x / Math.Sqrt(2)))).ToArray(), result, 1e-13);
    }

    [Fact]
    public void GeluTanh_IsTheTanhApproximation()
    {
        using var scope = torch.NewDisposeScope();
        var input = Reference.Uniform(40, 2, -5, 5);
        var result = F.gelu(torch.tensor(input), tanhApproximation: true);
        var expected = input.Select(x => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))).ToArray();
        Reference.AssertClose(expected, result, 1e-13);
        // The approximation is close to, but not the same function as, the exact one.
        Assert.NotEqual(F.gelu(torch.tensor(input)).ToArray<double>(), result.ToArray<double>());
    }

    [Fact]
    public void Relu_ZeroesNegatives()
    {
        using var scope = torch.NewDisposeScope();
        var input = Reference.Uniform(20, 3);
        Reference.AssertClose(input.Select(x => Math.Max(0, x)).ToArray(), F.relu(torch.tensor(input)), 0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void SoftmaxAndLogSoftmax_NormaliseAlongTheDimension(int dim)
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [3, 4];
        var input = Reference.Uniform(12, 4, -3, 3);
        input[5] = 700; // exp would overflow without the max shift
        var axis = dim < 0 ? shape.Length + dim : dim;
        var x = torch.tensor(input, shape);

        var expected = Reference.AlongDim(input, shape, axis, Reference.Softmax);
        Reference.AssertClose(expected, F.softmax(x, dim), Tight);
        var expectedLog = Reference.AlongDim(input, shape, axis, line =>
        {
            var lse = Reference.LogSumExp(line);
            return line.Select(v => v - lse).ToArray();
        });
        Reference.AssertClose(expectedLog, F.log_softmax(x, dim), Tight);
    }

    // ---- linear and convolution ----

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Linear_IsInputTimesWeightTransposedPlusBias_OverLeadingDimensions(bool withBias)
    {
        using var scope = torch.NewDisposeScope();
        var input = Reference.Uniform(2 * 3 * 4, 1);
        var weight = Reference.Uniform(5 * 4, 2);
        var bias = Reference.Uniform(5, 3);
        var result = F.linear(torch.tensor(input, [2, 3, 4]), torch.tensor(weight, [5, 4]), withBias ? torch.tensor(bias) : null);

        Assert.Equal([2L, 3L, 5L], result.shape);
        var expected = new double[2 * 3 * 5];
        for (var row = 0; row < 6; row++)
        for (var o = 0; o < 5; o++)
        {
            var sum = withBias ? bias[o] : 0;
            for (var i = 0; i < 4; i++) sum += input[row * 4 + i] * weight[o * 4 + i];
            expected[row * 5 + o] = sum;
        }
        Reference.AssertClose(expected, result, Tight);
    }

    [Theory]
    [InlineData(1, 0, 1, 1, true)]
    [InlineData(2, 1, 1, 1, true)]
    [InlineData(1, 2, 2, 1, false)]
    [InlineData(2, 1, 1, 2, true)]
    [InlineData(1, 1, 1, 4, false)] // depthwise
    public void Conv2d_EqualsDirectConvolution(int stride, int padding, int dilation, int groups, bool withBias)
    {
        using var scope = torch.NewDisposeScope();
        long[] inputShape = [2, 4, 6, 5];
        long[] weightShape = [4, 4 / groups, 3, 3];
        var input = Reference.Uniform(Reference.Count(inputShape), 1);
        var weight = Reference.Uniform(Reference.Count(weightShape), 2);
        var bias = Reference.Uniform(4, 3);

        var result = F.conv2d(torch.tensor(input, inputShape), torch.tensor(weight, weightShape), withBias ? torch.tensor(bias) : null,
            stride, padding, dilation, groups);

        var (expected, shape) = Reference.Conv2d(input, inputShape, weight, weightShape, withBias ? bias : null, stride, padding, dilation, groups);
        Assert.Equal(shape, result.shape);
        Reference.AssertClose(expected, result, Tight);
    }

    // ---- pooling and padding ----

    [Theory]
    [InlineData(2, null, 0)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 1, 0)]
    [InlineData(2, 1, 1)]
    public void Pooling_EqualsDirectWindows(int kernel, int? stride, int padding)
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [2, 3, 5, 6];
        var input = Reference.Uniform(Reference.Count(shape), 4);
        var x = torch.tensor(input, shape);

        var (expectedMax, outShape) = Reference.Pool2d(input, shape, kernel, stride ?? kernel, padding, max: true);
        var maxPooled = F.max_pool2d(x, kernel, stride, padding);
        Assert.Equal(outShape, maxPooled.shape);
        Reference.AssertClose(expectedMax, maxPooled, 0);

        // Average pooling counts padded cells as zeros (count_include_pad, PyTorch's default).
        var (expectedAvg, _) = Reference.Pool2d(input, shape, kernel, stride ?? kernel, padding, max: false);
        Reference.AssertClose(expectedAvg, F.avg_pool2d(x, kernel, stride, padding), Tight);
    }

    [Theory]
    [InlineData(5, 7, 3, 2)]
    [InlineData(4, 4, 2, 2)]
    [InlineData(3, 5, 1, 1)]
    [InlineData(3, 3, 5, 4)] // larger than the input: cells repeat
    public void AdaptiveAvgPool2d_AveragesItsOverlappingWindows(int height, int width, int outH, int outW)
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [2, 2, height, width];
        var input = Reference.Uniform(Reference.Count(shape), 5);
        var result = F.adaptive_avg_pool2d(torch.tensor(input, shape), outH, outW);
        Assert.Equal([2L, 2L, outH, outW], result.shape);
        Reference.AssertClose(Reference.AdaptiveAvgPool2d(input, shape, outH, outW), result, Tight);
    }

    [Fact]
    public void Pad_AddsBeforeAndAfterFromTheLastDimensionBackwards()
    {
        using var scope = torch.NewDisposeScope();
        var input = Reference.Uniform(6, 6);
        var padded = F.pad(torch.tensor(input, [2, 3]), [1, 2, 0, 1], value: 0.5);
        Assert.Equal([3L, 6L], padded.shape);
        var expected = new double[18];
        for (var r = 0; r < 3; r++)
        for (var c = 0; c < 6; c++)
            expected[r * 6 + c] = r < 2 && c is >= 1 and < 4 ? input[r * 3 + c - 1] : 0.5;
        Reference.AssertClose(expected, padded, 0);

        var lastOnly = F.pad(torch.tensor(input, [2, 3]), [2, 0]);
        Reference.AssertClose([0, 0, input[0], input[1], input[2], 0, 0, input[3], input[4], input[5]], lastOnly, 0);
    }

    // ---- normalization ----

    [Fact]
    public void LayerNorm_NormalisesTheTrailingDimensionsWithBiasedVariance()
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [2, 3, 4];
        var input = Reference.Uniform(24, 7, -2, 3);
        var weight = Reference.Uniform(12, 8);
        var bias = Reference.Uniform(12, 9);
        const double eps = 1e-3;

        var result = F.layer_norm(torch.tensor(input, shape), [3, 4], torch.tensor(weight, [3, 4]), torch.tensor(bias, [3, 4]), eps);
        var plain = F.layer_norm(torch.tensor(input, shape), [4]);

        var expected = new double[24];
        var expectedPlain = new double[24];
        for (var b = 0; b < 2; b++)
        {
            var group = input.Skip(b * 12).Take(12).ToArray();
            var (mean, variance) = (group.Average(), Reference.Variance(group, unbiased: false));
            for (var k = 0; k < 12; k++)
                expected[b * 12 + k] = (group[k] - mean) / Math.Sqrt(variance + eps) * weight[k] + bias[k];
        }
        for (var row = 0; row < 6; row++)
        {
            var line = input.Skip(row * 4).Take(4).ToArray();
            var (mean, variance) = (line.Average(), Reference.Variance(line, unbiased: false));
            for (var k = 0; k < 4; k++) expectedPlain[row * 4 + k] = (line[k] - mean) / Math.Sqrt(variance + 1e-5);
        }
        Reference.AssertClose(expected, result, Tight);
        Reference.AssertClose(expectedPlain, plain, Tight);
    }

    [Fact]
    public void BatchNormTraining_UsesBatchStatistics_AndUpdatesRunningOnesWithUnbiasedVariance()
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [3, 2, 2, 2];
        var input = Reference.Uniform(24, 10, -1, 4);
        double[] weight = [1.5, -0.5], bias = [0.2, 0.1], startMean = [0.3, -0.2], startVar = [0.5, 2.0];
        const double momentum = 0.2, eps = 1e-4;
        var runningMean = torch.tensor(startMean);
        var runningVar = torch.tensor(startVar);

        var result = F.batch_norm(torch.tensor(input, shape), runningMean, runningVar, torch.tensor(weight), torch.tensor(bias),
            training: true, momentum: momentum, eps: eps);

        var expected = new double[24];
        for (var c = 0; c < 2; c++)
        {
            var positions = Enumerable.Range(0, 24).Where(i => Reference.Unravel(i, shape)[1] == c).ToArray();
            var values = positions.Select(i => input[i]).ToArray();
            var (mean, biased, unbiased) = (values.Average(), Reference.Variance(values, false), Reference.Variance(values, true));
            foreach (var i in positions) expected[i] = (input[i] - mean) / Math.Sqrt(biased + eps) * weight[c] + bias[c];
            Assert.Equal((1 - momentum) * startMean[c] + momentum * mean, runningMean.ToArray<double>()[c], 1e-12);
            Assert.Equal((1 - momentum) * startVar[c] + momentum * unbiased, runningVar.ToArray<double>()[c], 1e-12);
        }
        Reference.AssertClose(expected, result, Tight);
    }

    [Fact]
    public void BatchNormEval_UsesRunningStatistics_AndLeavesThemAlone()
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [2, 3];
        var input = Reference.Uniform(6, 11);
        double[] weight = [1.5, -0.5, 2], bias = [0.2, 0.1, 0], mean = [0.3, -0.2, 1], variance = [0.5, 2.0, 0.1];
        var runningMean = torch.tensor(mean);
        var runningVar = torch.tensor(variance);

        var result = F.batch_norm(torch.tensor(input, shape), runningMean, runningVar, torch.tensor(weight), torch.tensor(bias), training: false);

        var expected = input.Select((x, i) => (x - mean[i % 3]) / Math.Sqrt(variance[i % 3] + 1e-5) * weight[i % 3] + bias[i % 3]).ToArray();
        Reference.AssertClose(expected, result, Tight);
        Assert.Equal(mean, runningMean.ToArray<double>());
        Assert.Equal(variance, runningVar.ToArray<double>());
    }

    // ---- losses ----

    private static double[] CrossEntropyPerRow(double[] logits, long[] targets, int classes, double smoothing)
    {
        var losses = new double[targets.Length];
        for (var row = 0; row < targets.Length; row++)
        {
            var line = logits.Skip(row * classes).Take(classes).ToArray();
            var lse = Reference.LogSumExp(line);
            var negativeLogProbs = line.Select(v => lse - v).ToArray();
            losses[row] = (1 - smoothing) * negativeLogProbs[targets[row]] + smoothing * negativeLogProbs.Average();
        }
        return losses;
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.3)]
    public void CrossEntropy_IsTheSmoothedNegativeLogLikelihood_ForEachReduction(double smoothing)
    {
        using var scope = torch.NewDisposeScope();
        var logits = Reference.Uniform(20, 12, -3, 3);
        long[] targets = [0, 3, 4, 3];
        var perRow = CrossEntropyPerRow(logits, targets, 5, smoothing);
        var x = torch.tensor(logits, [4, 5]);
        var y = torch.tensor(targets);

        Assert.Equal(perRow.Average(), F.cross_entropy(x, y, smoothing).ToDouble(), 1e-12);
        Assert.Equal(perRow.Sum(), F.cross_entropy(x, y, smoothing, Reduction.Sum).ToDouble(), 1e-12);
        var unreduced = F.cross_entropy(x, y, smoothing, Reduction.None);
        Assert.Equal([4L], unreduced.shape);
        Reference.AssertClose(perRow, unreduced, Tight);
    }

    [Fact]
    public void KlDiv_IsTargetTimesLogRatio_AveragedOverElementsForMean()
    {
        using var scope = torch.NewDisposeScope();
        var logInput = Reference.Uniform(12, 13, -3, 0);
        var target = Reference.Uniform(12, 14, 0, 1);
        target[4] = 0; // contributes 0, not NaN (0·log 0 is taken as 0)
        var pointwise = target.Select((t, i) => t == 0 ? 0 : t * (Math.Log(t) - logInput[i])).ToArray();
        var x = torch.tensor(logInput, [3, 4]);

        Assert.Equal(pointwise.Average(), F.kl_div(x, torch.tensor(target, [3, 4])).ToDouble(), 1e-12);
        Assert.Equal(pointwise.Sum(), F.kl_div(x, torch.tensor(target, [3, 4]), Reduction.Sum).ToDouble(), 1e-12);
        Reference.AssertClose(pointwise, F.kl_div(x, torch.tensor(target, [3, 4]), Reduction.None), Tight);

        var logTarget = Reference.Uniform(12, 15, -3, 0);
        var pointwiseLog = logTarget.Select((t, i) => Math.Exp(t) * (t - logInput[i])).ToArray();
        Assert.Equal(pointwiseLog.Sum(), F.kl_div(x, torch.tensor(logTarget, [3, 4]), Reduction.Sum, logTarget: true).ToDouble(), 1e-12);
    }

    [Fact]
    public void MseLoss_IsTheSquaredDifference_ForEachReduction()
    {
        using var scope = torch.NewDisposeScope();
        var input = Reference.Uniform(12, 16);
        var target = Reference.Uniform(12, 17);
        var squared = input.Select((x, i) => (x - target[i]) * (x - target[i])).ToArray();
        var (a, b) = (torch.tensor(input, [3, 4]), torch.tensor(target, [3, 4]));

        Assert.Equal(squared.Average(), F.mse_loss(a, b).ToDouble(), 1e-12);
        Assert.Equal(squared.Sum(), F.mse_loss(a, b, Reduction.Sum).ToDouble(), 1e-12);
        Reference.AssertClose(squared, F.mse_loss(a, b, Reduction.None), Tight);
    }

    // ---- dropout ----

    [Fact]
    public void DropoutTraining_ZeroesAboutPAndScalesSurvivorsByOneOverOneMinusP()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(21);
        const double p = 0.3;
        var input = Reference.Uniform(100_000, 18, 0.5, 1.5);
        var output = F.dropout(torch.tensor(input), p).ToArray<double>();

        var zeros = 0;
        for (var i = 0; i < input.Length; i++)
        {
            if (output[i] == 0) zeros++;
            else Assert.Equal(input[i] / (1 - p), output[i], 1e-12);
        }
        // The binomial standard deviation of the fraction is about 0.0015.
        Assert.InRange(zeros / (double)input.Length, p - 0.01, p + 0.01);
    }

    [Fact]
    public void Dropout_IsTheIdentityInEval_AndWithPZero_AndZeroWithPOne()
    {
        using var scope = torch.NewDisposeScope();
        var input = Reference.Uniform(50, 19);
        var x = torch.tensor(input);
        Assert.Equal(input, F.dropout(x, 0.5, training: false).ToArray<double>());
        Assert.Equal(input, F.dropout(x, 0).ToArray<double>());
        Assert.All(F.dropout(x, 1).ToArray<double>(), v => Assert.Equal(0, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.dropout(x, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.dropout(x, -0.1));
    }

    // ---- accuracy ----

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(9)] // more than the classes: every row counts
    public void AccuracyTopK_CountsRowsWhoseTargetIsAmongTheKLargestLogits(int k)
    {
        using var scope = torch.NewDisposeScope();
        const int rows = 30, classes = 6;
        var logits = Reference.Uniform(rows * classes, 20);
        var targets = Enumerable.Range(0, rows).Select(i => (long)(i * 7 % classes)).ToArray();

        var expected = 0;
        for (var r = 0; r < rows; r++)
        {
            var targetLogit = logits[r * classes + targets[r]];
            var larger = Enumerable.Range(0, classes).Count(c => logits[r * classes + c] > targetLogit);
            if (larger < k) expected++;
        }
        var x = torch.tensor(logits, [rows, classes]);
        var y = torch.tensor(targets);
        Assert.Equal(expected, Accuracy.CorrectTopK(x, y, k));
        Assert.Equal(expected / (double)rows, Accuracy.TopK(x, y, k), 1e-12);
        if (k >= classes) Assert.Equal(rows, expected);
    }
}
