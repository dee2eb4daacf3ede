using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Torch;

/// <summary>torch.* creation functions and the seeded generator behind every random draw.</summary>
public class CreationAndRandomTests
{
    [Fact]
    public void FilledTensors_HaveTheRequestedShapeTypeDeviceAndValue()
    {
        using var scope = torch.NewDisposeScope();
        var zeros = torch.zeros([2, 3]);
        Assert.Equal([2L, 3L], zeros.shape);
        Assert.Equal(ScalarType.Float32, zeros.dtype);
        Assert.Equal(torch.CPU, zeros.device);
        Assert.All(zeros.ToArray<float>(), v => Assert.Equal(0f, v));

        var ones = torch.ones([4], ScalarType.Int64, torch.CPU);
        Assert.Equal(ScalarType.Int64, ones.dtype);
        Assert.Equal([1L, 1, 1, 1], ones.ToArray<long>());

        var full = torch.full([3, 1, 2], -2.5, ScalarType.Float64);
        Assert.Equal([3L, 1L, 2L], full.shape);
        Assert.All(full.ToArray<double>(), v => Assert.Equal(-2.5, v));

        var empty = torch.empty([0, 5]);
        Assert.Equal(0, empty.numel());
        Assert.Equal([0L, 5L], empty.shape);

        var scalar = torch.scalar(4.5, ScalarType.Float64);
        Assert.Equal(0, scalar.dim());
        Assert.Equal(4.5, scalar.ToDouble());
    }

    [Fact]
    public void LikeFunctions_CopyShapeAndType()
    {
        using var scope = torch.NewDisposeScope();
        var template = torch.full([2, 2], 9, ScalarType.Float64);
        var zeros = torch.zeros_like(template);
        var ones = torch.ones_like(template);
        Assert.Equal(ScalarType.Float64, zeros.dtype);
        Assert.Equal([0.0, 0, 0, 0], zeros.ToArray<double>());
        Assert.Equal([2L, 2L], ones.shape);
        Assert.Equal([1.0, 1, 1, 1], ones.ToArray<double>());
    }

    [Fact]
    public void Arange_CountsFromStartBelowEndByStep()
    {
        using var scope = torch.NewDisposeScope();
        var integers = torch.arange(0, 5);
        Assert.Equal(ScalarType.Int64, integers.dtype);
        Assert.Equal([0L, 1, 2, 3, 4], integers.ToArray<long>());

        var fractional = torch.arange(1, 2, 0.25, ScalarType.Float64);
        Assert.Equal([1.0, 1.25, 1.5, 1.75], fractional.ToArray<double>());

        Assert.Equal([5L, 3, 1], torch.arange(5, 0, -2).ToArray<long>());
    }

    [Fact]
    public void TensorFromArrays_KeepsValuesAndPicksTheMatchingType()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(ScalarType.Float32, torch.tensor(new[] { 1.5f }).dtype);
        Assert.Equal(ScalarType.Float64, torch.tensor(new[] { 1.5 }).dtype);
        Assert.Equal(ScalarType.Int64, torch.tensor(new[] { 1L }).dtype);
        Assert.Equal(ScalarType.Int32, torch.tensor(new[] { 1 }).dtype);
        Assert.Equal(ScalarType.Byte, torch.tensor(new byte[] { 1 }).dtype);
        Assert.Equal(ScalarType.Bool, torch.tensor(new[] { true }).dtype);

        int[] ints = [3, -1, 7, 0, 2, 5];
        var shaped = torch.tensor(ints, [2, 3]);
        Assert.Equal([2L, 3L], shaped.shape);
        Assert.Equal(ints, shaped.ToArray<int>());
        Assert.Equal(new byte[] { 0, 255, 7 }, torch.tensor(new byte[] { 0, 255, 7 }).ToArray<byte>());

        double[] pooled = [9, 1, 2, 3, 4, 9];
        var fromSpan = torch.from_span<double>(pooled.AsSpan(1, 4), [2, 2]);
        Assert.Equal([1.0, 2, 3, 4], fromSpan.ToArray<double>());
        pooled[1] = 100; // the tensor holds a copy
        Assert.Equal(1.0, fromSpan.ToArray<double>()[0]);

        Assert.Throws<ArgumentException>(() => torch.tensor(new[] { 1.0, 2, 3 }, [2, 2]));
    }

    [Fact]
    public void ManualSeed_SameSeedGivesTheSameNumbers_AnotherSeedOthers()
    {
        double[] Draw(ulong seed)
        {
            using var scope = torch.NewDisposeScope();
            torch.manual_seed(seed);
            return torch.randn([50], ScalarType.Float64).ToArray<double>()
                .Concat(torch.rand([10], ScalarType.Float64).ToArray<double>())
                .Concat(torch.randint(0, 1000, [10]).ToArray<long>().Select(v => (double)v))
                .Concat(torch.randperm(10).ToArray<long>().Select(v => (double)v))
                .ToArray();
        }

        var first = Draw(42);
        Assert.Equal(first, Draw(42));
        Assert.NotEqual(first, Draw(43));
    }

    [Fact]
    public void RngState_SetBack_ReplaysTheSameStream()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        _ = torch.randn([13]); // move away from the freshly seeded state
        var saved = torch.get_rng_state();
        var firstDraw = torch.randn([20], ScalarType.Float64).ToArray<double>();
        var mask = torch.bernoulli(torch.zeros([20]), 0.5).ToArray<float>();
        var later = torch.randn([5], ScalarType.Float64).ToArray<double>();

        torch.set_rng_state(saved);
        Assert.Equal(firstDraw, torch.randn([20], ScalarType.Float64).ToArray<double>());
        Assert.Equal(mask, torch.bernoulli(torch.zeros([20]), 0.5).ToArray<float>());
        Assert.Equal(later, torch.randn([5], ScalarType.Float64).ToArray<double>());
        Assert.NotEqual(firstDraw.Take(5), later);
    }

    [Fact]
    public void RandomDraws_FollowTheirDistributions()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        const int count = 40_000;

        var normal = torch.randn([count], ScalarType.Float64).ToArray<double>();
        Assert.Equal(0, normal.Average(), 0.02); // standard error 0.005
        Assert.Equal(1, Math.Sqrt(Reference.Variance(normal, false)), 0.02);

        var uniform = torch.rand([count]).ToArray<float>();
        Assert.All(uniform, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(0.5, uniform.Average(), 0.01);

        var integers = torch.randint(-3, 4, [count]).ToArray<long>();
        Assert.All(integers, v => Assert.InRange(v, -3, 3));
        Assert.Equal(7, integers.Distinct().Count());

        var permutation = torch.randperm(100).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), permutation.Order());
        Assert.NotEqual(Enumerable.Range(0, 100).Select(i => (long)i), permutation);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.85)]
    public void Bernoulli_EmpiricalMeanIsCloseToP(double p)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(17);
        const int count = 100_000;
        var samples = torch.bernoulli(torch.zeros([count], ScalarType.Float64), p).ToArray<double>();
        Assert.All(samples, v => Assert.True(v is 0 or 1));
        // The standard error is at most 0.0016; 0.008 is five of them.
        Assert.Equal(p, samples.Average(), 0.008);
    }

    [Fact]
    public void BernoulliOfProbabilities_SamplesEachElementWithItsOwnP()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(19);
        const int rows = 20_000;
        double[] perColumn = [0, 0.25, 0.75, 1];
        var probabilities = torch.tensor(perColumn).expand(rows, 4).contiguous();
        var samples = torch.bernoulli(probabilities).ToArray<double>();
        for (var c = 0; c < 4; c++)
        {
            var column = Enumerable.Range(0, rows).Select(r => samples[r * 4 + c]).ToArray();
            Assert.Equal(perColumn[c], column.Average(), 0.015);
        }
        Assert.All(Enumerable.Range(0, rows), r => Assert.Equal(0, samples[r * 4]));
        Assert.All(Enumerable.Range(0, rows), r => Assert.Equal(1, samples[r * 4 + 3]));
    }

    [Fact]
    public void NumThreads_CanBeReadAndSet()
    {
        var before = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            Assert.Equal(1, torch.get_num_threads());
        }
        finally
        {
            torch.set_num_threads(before);
        }
        Assert.Equal(before, torch.get_num_threads());
    }
}
