using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Torch;

/// <summary>
/// Plain C# arithmetic on row-major double arrays: the independent side of every comparison with
/// libtorch, so nothing here may call into the binding except to build or read tensors.
/// </summary>
internal static class Reference
{
    /// <summary>Reproducible values in [low, high) from System.Random, independent of libtorch's generator.</summary>
    public static double[] Uniform(int count, int seed, double low = -1, double high = 1)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = low + (high - low) * random.NextDouble();
        return values;
    }

    /// <summary>Values at least <paramref name="gap"/> away from zero, for ops with a kink there (relu, abs).</summary>
    public static double[] AwayFromZero(int count, int seed, double gap = 0.2)
    {
        var values = Uniform(count, seed);
        for (var i = 0; i < count; i++) values[i] = Math.Sign(values[i] == 0 ? 1 : values[i]) * (gap + Math.Abs(values[i]));
        return values;
    }

    public static Tensor Tensor(long[] shape, int seed, double low = -1, double high = 1) =>
        torch.tensor(Uniform(Count(shape), seed, low, high), shape);

    public static int Count(long[] shape)
    {
        long count = 1;
        foreach (var d in shape) count *= d;
        return checked((int)count);
    }

    /// <summary>Row-major strides of a shape.</summary>
    public static long[] Strides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }
        return strides;
    }

    /// <summary>The multi-index of a flat row-major position.</summary>
    public static long[] Unravel(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    public static long Ravel(long[] index, long[] shape)
    {
        long flat = 0;
        for (var d = 0; d < shape.Length; d++) flat = flat * shape[d] + index[d];
        return flat;
    }

    /// <summary>
    /// erf to about 1e-15: its Taylor series where that converges without cancellation, the
    /// continued fraction of erfc beyond.
    /// </summary>
    public static double Erf(double x)
    {
        if (x < 0) return -Erf(-x);
        if (x < 2.5)
        {
            // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
            double term = x, sum = x;
            for (var n = 1; n < 100; n++)
            {
                term *= -x * x / n;
                var next = term / (2 * n + 1);
                sum += next;
                if (Math.Abs(next) < 1e-17 * Math.Abs(sum)) break;
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
        // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the tail.
        var fraction = x;
        for (var n = 80; n >= 1; n--) fraction = x + n / 2.0 / fraction;
        return 1 - Math.Exp(-x * x) / Math.Sqrt(Math.PI) / fraction;
    }

    public static double[] Softmax(double[] row)
    {
        var max = row.Max();
        var exps = row.Select(v => Math.Exp(v - max)).ToArray();
        var sum = exps.Sum();
        return exps.Select(e => e / sum).ToArray();
    }

    public static double LogSumExp(IReadOnlyList<double> values)
    {
        var max = values.Max();
        return max + Math.Log(values.Sum(v => Math.Exp(v - max)));
    }

    /// <summary>Applies <paramref name="rowFunction"/> to every 1-D line along <paramref name="dim"/>, writing its results back in place.</summary>
    public static double[] AlongDim(double[] data, long[] shape, int dim, Func<double[], double[]> rowFunction)
    {
        var result = new double[data.Length];
        var strides = Strides(shape);
        var length = shape[dim];
        for (long flat = 0; flat < data.Length; flat++)
        {
            var index = Unravel(flat, shape);
            if (index[dim] != 0) continue; // one visit per line, from its first element
            var line = new double[length];
            for (long k = 0; k < length; k++) line[k] = data[flat + k * strides[dim]];
            var mapped = rowFunction(line);
            for (long k = 0; k < length; k++) result[flat + k * strides[dim]] = mapped[k];
        }
        return result;
    }

    /// <summary>Reduces every line along <paramref name="dim"/> to one value; the result drops that dimension.</summary>
    public static double[] ReduceDim(double[] data, long[] shape, int dim, Func<double[], double> reduce)
    {
        var reducedShape = shape.Where((_, d) => d != dim).ToArray();
        var result = new double[Count(reducedShape)];
        var strides = Strides(shape);
        for (long flat = 0; flat < data.Length; flat++)
        {
            var index = Unravel(flat, shape);
            if (index[dim] != 0) continue;
            var line = new double[shape[dim]];
            for (long k = 0; k < line.Length; k++) line[k] = data[flat + k * strides[dim]];
            var outIndex = index.Where((_, d) => d != dim).ToArray();
            result[Ravel(outIndex, reducedShape)] = reduce(line);
        }
        return result;
    }

    public static double Variance(IReadOnlyList<double> values, bool unbiased)
    {
        var mean = values.Average();
        var squares = values.Sum(v => (v - mean) * (v - mean));
        return squares / (values.Count - (unbiased ? 1 : 0));
    }

    /// <summary>Direct 2-D convolution (cross-correlation, as PyTorch) over (N, C, H, W) with square parameters.</summary>
    public static (double[] values, long[] shape) Conv2d(double[] input, long[] inputShape, double[] weight, long[] weightShape,
        double[]? bias, int stride, int padding, int dilation, int groups)
    {
        long n = inputShape[0], inChannels = inputShape[1], height = inputShape[2], width = inputShape[3];
        long outChannels = weightShape[0], groupInChannels = weightShape[1], kernelH = weightShape[2], kernelW = weightShape[3];
        var outH = (height + 2 * padding - dilation * (kernelH - 1) - 1) / stride + 1;
        var outW = (width + 2 * padding - dilation * (kernelW - 1) - 1) / stride + 1;
        var groupOutChannels = outChannels / groups;
        long[] shape = [n, outChannels, outH, outW];
        var result = new double[Count(shape)];
        for (long b = 0; b < n; b++)
        for (long oc = 0; oc < outChannels; oc++)
        for (long oy = 0; oy < outH; oy++)
        for (long ox = 0; ox < outW; ox++)
        {
            var sum = bias?[oc] ?? 0;
            var group = oc / groupOutChannels;
            for (long ic = 0; ic < groupInChannels; ic++)
            for (long ky = 0; ky < kernelH; ky++)
            for (long kx = 0; kx < kernelW; kx++)
            {
                var y = oy * stride - padding + ky * dilation;
                var x = ox * stride - padding + kx * dilation;
                if (y < 0 || y >= height || x < 0 || x >= width) continue;
                var channel = group * groupInChannels + ic;
                sum += input[Ravel([b, channel, y, x], inputShape)] * weight[Ravel([oc, ic, ky, kx], weightShape)];
            }
            result[Ravel([b, oc, oy, ox], shape)] = sum;
        }
        return (result, shape);
    }

    /// <summary>Max or average pooling over (N, C, H, W); padded cells are -∞ for max and count as zeros for average.</summary>
    public static (double[] values, long[] shape) Pool2d(double[] input, long[] inputShape, int kernel, int stride, int padding, bool max)
    {
        long n = inputShape[0], channels = inputShape[1], height = inputShape[2], width = inputShape[3];
        var outH = (height + 2 * padding - kernel) / stride + 1;
        var outW = (width + 2 * padding - kernel) / stride + 1;
        long[] shape = [n, channels, outH, outW];
        var result = new double[Count(shape)];
        for (long b = 0; b < n; b++)
        for (long c = 0; c < channels; c++)
        for (long oy = 0; oy < outH; oy++)
        for (long ox = 0; ox < outW; ox++)
        {
            double best = double.NegativeInfinity, sum = 0;
            for (long ky = 0; ky < kernel; ky++)
            for (long kx = 0; kx < kernel; kx++)
            {
                var y = oy * stride - padding + ky;
                var x = ox * stride - padding + kx;
                if (y < 0 || y >= height || x < 0 || x >= width) continue;
                var value = input[Ravel([b, c, y, x], inputShape)];
                best = Math.Max(best, value);
                sum += value;
            }
            result[Ravel([b, c, oy, ox], shape)] = max ? best : sum / (kernel * kernel);
        }
        return (result, shape);
    }

    /// <summary>Adaptive average pooling: output cell i covers input rows floor(i·H/outH) .. ceil((i+1)·H/outH).</summary>
    public static double[] AdaptiveAvgPool2d(double[] input, long[] inputShape, int outH, int outW)
    {
        long n = inputShape[0], channels = inputShape[1], height = inputShape[2], width = inputShape[3];
        long[] shape = [n, channels, outH, outW];
        var result = new double[Count(shape)];
        for (long b = 0; b < n; b++)
        for (long c = 0; c < channels; c++)
        for (long oy = 0; oy < outH; oy++)
        for (long ox = 0; ox < outW; ox++)
        {
            long y0 = oy * height / outH, y1 = ((oy + 1) * height + outH - 1) / outH;
            long x0 = ox * width / outW, x1 = ((ox + 1) * width + outW - 1) / outW;
            double sum = 0;
            for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++)
                sum += input[Ravel([b, c, y, x], inputShape)];
            result[Ravel([b, c, oy, ox], shape)] = sum / ((y1 - y0) * (x1 - x0));
        }
        return result;
    }

    /// <summary>C = A·B for row-major (m×k)·(k×n), by the triple loop.</summary>
    public static double[] MatMul(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            double sum = 0;
            for (var p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
            c[i * n + j] = sum;
        }
        return c;
    }

    public static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance, string what = "")
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var ok = double.IsNaN(expected[i])
                ? double.IsNaN(actual[i])
                : expected[i] == actual[i] || Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(ok, $"{what} element {i}: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance})");
        }
    }

    public static void AssertClose(IReadOnlyList<double> expected, Tensor actual, double tolerance = 1e-12, string what = "") =>
        AssertClose(expected, Values(actual), tolerance, what);

    /// <summary>A tensor's elements as doubles, whatever its floating type.</summary>
    public static double[] Values(Tensor tensor) => tensor.dtype switch
    {
        ScalarType.Float64 => tensor.ToArray<double>(),
        ScalarType.Float32 => tensor.ToArray<float>().Select(v => (double)v).ToArray(),
        ScalarType.Int64 => tensor.ToArray<long>().Select(v => (double)v).ToArray(),
        ScalarType.Bool => tensor.ToArray<bool>().Select(v => v ? 1.0 : 0.0).ToArray(),
        _ => throw new NotSupportedException(tensor.dtype.ToString()),
    };
}
