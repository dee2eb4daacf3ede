using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Torch;

/// <summary>Tensor methods and operators against the same arithmetic done in plain C# loops.</summary>
public class OpForwardTests
{
    private const double Tight = 1e-13;

    // ---- elementwise ----

    private static readonly Dictionary<string, (Func<Tensor, Tensor, Tensor> Op, Func<double, double, double> Expected)> BinaryOps = new()
    {
        ["add"] = ((a, b) => a.add(b), (x, y) => x + y),
        ["add_alpha"] = ((a, b) => a.add(b, alpha: 2.5), (x, y) => x + 2.5 * y),
        ["sub_alpha"] = ((a, b) => a.sub(b, alpha: 0.5), (x, y) => x - 0.5 * y),
        ["mul"] = ((a, b) => a.mul(b), (x, y) => x * y),
        ["div"] = ((a, b) => a.div(b), (x, y) => x / y),
        ["pow"] = ((a, b) => a.pow(b), Math.Pow),
        ["maximum"] = ((a, b) => a.maximum(b), Math.Max),
        ["minimum"] = ((a, b) => a.minimum(b), Math.Min),
        ["operator_plus"] = ((a, b) => a + b, (x, y) => x + y),
        ["operator_minus"] = ((a, b) => a - b, (x, y) => x - y),
        ["operator_times"] = ((a, b) => a * b, (x, y) => x * y),
        ["operator_divide"] = ((a, b) => a / b, (x, y) => x / y),
    };

    public static TheoryData<string> BinaryOpNames() => Names(BinaryOps.Keys);

    [Theory]
    [MemberData(nameof(BinaryOpNames))]
    public void BinaryOp_BroadcastsARowAndMatchesScalarArithmetic(string op)
    {
        using var scope = torch.NewDisposeScope();
        var (run, expected) = BinaryOps[op];
        var left = Reference.Uniform(6, 1, 0.5, 2); // positive, so pow is real
        var right = Reference.AwayFromZero(3, 2, gap: 0.5); // clear of zero, so div is finite
        var result = run(torch.tensor(left, [2, 3]), torch.tensor(right));

        Assert.Equal([2L, 3L], result.shape);
        var want = new double[6];
        for (var i = 0; i < 2; i++)
        for (var j = 0; j < 3; j++)
            want[i * 3 + j] = expected(left[i * 3 + j], right[j]);
        Reference.AssertClose(want, result, Tight, op);
    }

    private static readonly Dictionary<string, (Func<Tensor, Tensor> Op, Func<double, double> Expected)> UnaryOps = new()
    {
        ["add_scalar"] = (t => t.add(1.5), x => x + 1.5),
        ["mul_scalar"] = (t => t.mul(-2.5), x => x * -2.5),
        ["div_scalar"] = (t => t.div(4), x => x / 4),
        ["pow_scalar"] = (t => t.pow(3), x => x * x * x),
        ["tensor_plus_scalar"] = (t => t + 2, x => x + 2),
        ["scalar_plus_tensor"] = (t => 2 + t, x => 2 + x),
        ["tensor_minus_scalar"] = (t => t - 2, x => x - 2),
        ["scalar_minus_tensor"] = (t => 2 - t, x => 2 - x),
        ["tensor_times_scalar"] = (t => t * 3, x => x * 3),
        ["scalar_times_tensor"] = (t => 3 * t, x => 3 * x),
        ["tensor_over_scalar"] = (t => t / 8, x => x / 8),
        ["unary_minus"] = (t => -t, x => -x),
        ["neg"] = (t => t.neg(), x => -x),
        ["exp"] = (t => t.exp(), Math.Exp),
        ["log"] = (t => t.log(), Math.Log), // NaN below zero and -∞ at zero, as in C#
        ["sqrt"] = (t => t.sqrt(), Math.Sqrt),
        ["abs"] = (t => t.abs(), Math.Abs),
        ["sign"] = (t => t.sign(), x => Math.Sign(x)),
        ["square"] = (t => t.square(), x => x * x),
        ["tanh"] = (t => t.tanh(), Math.Tanh),
        ["sigmoid"] = (t => t.sigmoid(), x => 1 / (1 + Math.Exp(-x))),
        ["relu"] = (t => t.relu(), x => Math.Max(0, x)),
        ["clamp"] = (t => t.clamp(-0.4, 1.2), x => Math.Clamp(x, -0.4, 1.2)),
    };

    public static TheoryData<string> UnaryOpNames() => Names(UnaryOps.Keys);

    [Theory]
    [MemberData(nameof(UnaryOpNames))]
    public void UnaryOp_MatchesItsFormulaOnNegativeZeroAndPositiveValues(string op)
    {
        using var scope = torch.NewDisposeScope();
        var (run, expected) = UnaryOps[op];
        double[] input = [-2.5, -0.7, -0.1, 0, 0.2, 0.9, 1.6, 3];
        var result = run(torch.tensor(input, [2, 4]));

        Assert.Equal([2L, 4L], result.shape);
        Assert.Equal(ScalarType.Float64, result.dtype);
        Reference.AssertClose(input.Select(expected).ToArray(), result, Tight, op);
    }

    [Fact]
    public void Isfinite_IsFalseExactlyForNaNAndInfinities()
    {
        using var scope = torch.NewDisposeScope();
        var result = torch.tensor(new[] { 1.0, double.NaN, double.PositiveInfinity, -3, double.NegativeInfinity }).isfinite();
        Assert.Equal(ScalarType.Bool, result.dtype);
        Assert.Equal([true, false, false, true, false], result.ToArray<bool>());
    }

    [Fact]
    public void ScalarOps_KeepFloat32WhenTheTensorIsFloat32()
    {
        using var scope = torch.NewDisposeScope();
        var result = (2 - torch.tensor(new float[] { 0.5f, 1.5f }) * 2.0) / 4.0 + 1;
        Assert.Equal(ScalarType.Float32, result.dtype);
        Assert.Equal([1.25f, 0.75f], result.ToArray<float>());
    }

    // ---- comparisons, where, masked_fill ----

    private static readonly Dictionary<string, (Func<Tensor, Tensor, Tensor> WithTensor, Func<Tensor, double, Tensor> WithScalar, Func<double, double, bool> Expected)> Comparisons = new()
    {
        ["eq"] = ((a, b) => a.eq(b), (a, b) => a.eq(b), (x, y) => x == y),
        ["ne"] = ((a, b) => a.ne(b), (a, b) => a.ne(b), (x, y) => x != y),
        ["lt"] = ((a, b) => a.lt(b), (a, b) => a.lt(b), (x, y) => x < y),
        ["le"] = ((a, b) => a.le(b), (a, b) => a.le(b), (x, y) => x <= y),
        ["gt"] = ((a, b) => a.gt(b), (a, b) => a.gt(b), (x, y) => x > y),
        ["ge"] = ((a, b) => a.ge(b), (a, b) => a.ge(b), (x, y) => x >= y),
    };

    public static TheoryData<string> ComparisonNames() => Names(Comparisons.Keys);

    [Theory]
    [MemberData(nameof(ComparisonNames))]
    public void Comparison_WithTensorAndWithScalar_GivesBoolsOfTheRelation(string op)
    {
        using var scope = torch.NewDisposeScope();
        var (withTensor, withScalar, expected) = Comparisons[op];
        double[] left = [1, 2, 3, 4, 5, 2];
        double[] right = [2, 2, 2, 5, 4, 2]; // ties, smaller and larger
        var pairwise = withTensor(torch.tensor(left), torch.tensor(right));
        var againstScalar = withScalar(torch.tensor(left), 2);

        Assert.Equal(ScalarType.Bool, pairwise.dtype);
        Assert.Equal(left.Select((x, i) => expected(x, right[i])).ToArray(), pairwise.ToArray<bool>());
        Assert.Equal(left.Select(x => expected(x, 2)).ToArray(), againstScalar.ToArray<bool>());
    }

    [Fact]
    public void Where_TakesFromTheFirstWhereTrueAndBroadcastsTheSecond()
    {
        using var scope = torch.NewDisposeScope();
        bool[] condition = [true, false, false, true, true, false];
        var a = Reference.Uniform(6, 1);
        var b = Reference.Uniform(3, 2);
        var result = torch.where(torch.tensor(condition, [2, 3]), torch.tensor(a, [2, 3]), torch.tensor(b));
        Reference.AssertClose(condition.Select((c, i) => c ? a[i] : b[i % 3]).ToArray(), result, 0);
    }

    [Fact]
    public void MaskedFill_ReplacesMaskedElementsOnly_WithABroadcastMask()
    {
        using var scope = torch.NewDisposeScope();
        var input = Reference.Uniform(6, 1);
        bool[] mask = [false, true, true];
        var result = torch.tensor(input, [2, 3]).masked_fill(torch.tensor(mask), -9);
        Reference.AssertClose(input.Select((x, i) => mask[i % 3] ? -9 : x).ToArray(), result, 0);
    }

    // ---- matmul ----

    [Fact]
    public void Matmul_EqualsTheTripleLoop()
    {
        using var scope = torch.NewDisposeScope();
        var a = Reference.Uniform(12, 1);
        var b = Reference.Uniform(20, 2);
        var result = torch.tensor(a, [3, 4]).matmul(torch.tensor(b, [4, 5]));
        Assert.Equal([3L, 5L], result.shape);
        Reference.AssertClose(Reference.MatMul(a, b, 3, 4, 5), result, Tight);
    }

    [Fact]
    public void Matmul_BroadcastsAMatrixOverABatch()
    {
        using var scope = torch.NewDisposeScope();
        var a = Reference.Uniform(24, 1);
        var b = Reference.Uniform(8, 2);
        var result = torch.matmul(torch.tensor(a, [2, 3, 4]), torch.tensor(b, [4, 2]));
        Assert.Equal([2L, 3L, 2L], result.shape);
        var expected = Reference.MatMul(a[..12], b, 3, 4, 2).Concat(Reference.MatMul(a[12..], b, 3, 4, 2)).ToArray();
        Reference.AssertClose(expected, result, Tight);
    }

    // ---- in place ----

    [Fact]
    public void InPlaceOps_ChangeTheSharedStorage_AndReturnTheSameObject()
    {
        using var scope = torch.NewDisposeScope();
        var start = Reference.Uniform(4, 1);
        var other = Reference.Uniform(4, 2);
        var target = torch.tensor(start);
        var view = target.alias();

        Assert.Same(target, target.add_(torch.tensor(other), alpha: -3));
        var afterAdd = start.Select((x, i) => x - 3 * other[i]).ToArray();
        Reference.AssertClose(afterAdd, view, Tight);

        Assert.Same(target, target.mul_(0.5));
        Reference.AssertClose(afterAdd.Select(x => x * 0.5).ToArray(), view, Tight);

        Assert.Same(target, target.copy_(torch.tensor(new float[] { 1.5f, 2, 3, 4 })));
        Assert.Equal([1.5, 2, 3, 4], view.ToArray<double>()); // float32 source converted into float64 storage

        Assert.Same(target, target.fill_(7.25));
        Assert.All(view.ToArray<double>(), x => Assert.Equal(7.25, x));

        Assert.Same(target, target.zero_());
        Assert.All(view.ToArray<double>(), x => Assert.Equal(0, x));
    }

    [Fact]
    public void UniformAndNormalInPlace_FillWithTheRequestedDistribution()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        var uniform = torch.empty([20000], ScalarType.Float64).uniform_(-2, 3).ToArray<double>();
        Assert.All(uniform, x => Assert.InRange(x, -2, 3));
        // Tolerances are about five standard errors of 20000 samples.
        Assert.Equal(0.5, uniform.Average(), 0.05); // (a + b) / 2
        Assert.Equal(25.0 / 12, Reference.Variance(uniform, false), 0.1); // (b - a)² / 12

        var normal = torch.empty([20000], ScalarType.Float64).normal_(1.5, 0.5).ToArray<double>();
        Assert.Equal(1.5, normal.Average(), 0.02);
        Assert.Equal(0.5, Math.Sqrt(Reference.Variance(normal, false)), 0.02);
    }

    // ---- reductions ----

    [Fact]
    public void SumAndMean_OverAllOneOrSeveralDimensions()
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [2, 3, 4];
        var data = Reference.Uniform(24, 1);
        var x = torch.tensor(data, shape);

        Assert.Empty(x.sum().shape);
        Assert.Equal(data.Sum(), x.sum().ToDouble(), 1e-12);
        Assert.Equal(data.Average(), x.mean().ToDouble(), 1e-12);

        var sumDim1 = x.sum(1);
        Assert.Equal([2L, 4L], sumDim1.shape);
        Reference.AssertClose(Reference.ReduceDim(data, shape, 1, l => l.Sum()), sumDim1, Tight);
        Assert.Equal([2L, 1L, 4L], x.sum(1, keepdim: true).shape);
        Reference.AssertClose(Reference.ReduceDim(data, shape, 2, l => l.Average()), x.mean(-1), Tight);

        var sumOuter = x.sum([0, 2], keepdim: true);
        Assert.Equal([1L, 3L, 1L], sumOuter.shape);
        var expectedOuter = new double[3];
        for (var i = 0; i < 24; i++) expectedOuter[Reference.Unravel(i, shape)[1]] += data[i];
        Reference.AssertClose(expectedOuter, sumOuter, Tight);
        Reference.AssertClose(expectedOuter.Select(v => v / 8).ToArray(), x.mean([0, 2]), Tight);
    }

    [Fact]
    public void AmaxAminArgmax_FindTheExtremes()
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [3, 5];
        var data = Reference.Uniform(15, 3);
        var x = torch.tensor(data, shape);

        Assert.Equal(data.Max(), x.amax().ToDouble());
        Assert.Equal(data.Min(), x.amin().ToDouble());
        Reference.AssertClose(Reference.ReduceDim(data, shape, 1, l => l.Max()), x.amax(1), 0);
        Reference.AssertClose(Reference.ReduceDim(data, shape, 0, l => l.Min()), x.amin(0), 0);
        Assert.Equal([3L, 1L], x.amax(1, keepdim: true).shape);

        var argmax = x.argmax(1);
        Assert.Equal(ScalarType.Int64, argmax.dtype);
        Assert.Equal(Reference.ReduceDim(data, shape, 1, l => Array.IndexOf(l, l.Max())).Select(v => (long)v).ToArray(), argmax.ToArray<long>());
        Assert.Equal([1L, 5L], x.argmax(0, keepdim: true).shape);
    }

    [Fact]
    public void Var_IsUnbiasedByDefault_AndBiasedOnRequest()
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [3, 4];
        var data = Reference.Uniform(12, 4);
        var x = torch.tensor(data, shape);

        Assert.Equal(Reference.Variance(data, unbiased: true), x.var().ToDouble(), 1e-12);
        Assert.Equal(Reference.Variance(data, unbiased: false), x.var(unbiased: false).ToDouble(), 1e-12);
        Reference.AssertClose(Reference.ReduceDim(data, shape, 1, l => Reference.Variance(l, true)), x.var(1), Tight);
        Reference.AssertClose(Reference.ReduceDim(data, shape, 0, l => Reference.Variance(l, false)), x.var(0, unbiased: false, keepdim: true), Tight);
        Assert.Equal([1L, 4L], x.var(0, keepdim: true).shape);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(3.0)]
    public void Norm_IsThePNormOfAllElements(double p)
    {
        using var scope = torch.NewDisposeScope();
        var data = Reference.Uniform(10, 5);
        var expected = Math.Pow(data.Sum(v => Math.Pow(Math.Abs(v), p)), 1 / p);
        Assert.Equal(expected, torch.tensor(data, [2, 5]).norm(p).ToDouble(), 1e-12);
    }

    [Fact]
    public void Logsumexp_MatchesTheFormula_AndStaysFiniteForLargeValues()
    {
        using var scope = torch.NewDisposeScope();
        double[] data = [1000, 1000.5, 999, -3, 0.5, 2];
        var result = torch.tensor(data, [2, 3]).logsumexp(1);
        Reference.AssertClose([Reference.LogSumExp(data[..3]), Reference.LogSumExp(data[3..])], result, Tight);
        Assert.True(double.IsFinite(result.ToArray<double>()[0]));
        Assert.Equal([2L, 1L], torch.tensor(data, [2, 3]).logsumexp(1, keepdim: true).shape);
    }

    [Fact]
    public void Topk_ReturnsSortedValuesAndTheirIndices_LargestOrSmallest()
    {
        using var scope = torch.NewDisposeScope();
        double[] data = [0.3, 2.0, -1.0, 0.7, 5.0, 1.5, -0.5, 0.0];
        var x = torch.tensor(data, [2, 4]);

        var (values, indices) = x.topk(2);
        Assert.Equal([2.0, 0.7, 5.0, 1.5], values.ToArray<double>());
        Assert.Equal([1L, 3, 0, 1], indices.ToArray<long>());

        var (smallest, smallestAt) = x.topk(3, dim: 1, largest: false);
        Assert.Equal([-1.0, 0.3, 0.7, -0.5, 0.0, 1.5], smallest.ToArray<double>());
        Assert.Equal([2L, 0, 3, 2, 3, 1], smallestAt.ToArray<long>());

        var (columnTop, columnTopAt) = x.topk(1, dim: 0);
        Assert.Equal([5.0, 2.0, -0.5, 0.7], columnTop.ToArray<double>());
        Assert.Equal([1L, 0, 1, 0], columnTopAt.ToArray<long>());
    }

    // ---- shape and indexing ----

    private static double[] Permute(double[] data, long[] shape, long[] dims)
    {
        var outShape = dims.Select(d => shape[d]).ToArray();
        var result = new double[data.Length];
        for (long flat = 0; flat < data.Length; flat++)
        {
            var outIndex = Reference.Unravel(flat, outShape);
            var source = new long[shape.Length];
            for (var k = 0; k < dims.Length; k++) source[dims[k]] = outIndex[k];
            result[flat] = data[Reference.Ravel(source, shape)];
        }
        return result;
    }

    [Fact]
    public void ReshapeViewFlatten_KeepRowMajorOrder()
    {
        using var scope = torch.NewDisposeScope();
        var data = Reference.Uniform(24, 1);
        var x = torch.tensor(data, [2, 3, 4]);

        var reshaped = x.reshape(4, -1);
        Assert.Equal([4L, 6L], reshaped.shape);
        Reference.AssertClose(data, reshaped, 0);
        Assert.Equal([6L, 4L], x.view(6, 4).shape);
        Reference.AssertClose(data, x.view(6, 4), 0);
        Assert.Equal([2L, 12L], x.flatten(1).shape);
        Assert.Equal([6L, 4L], x.flatten(0, 1).shape);
        Assert.Equal([24L], x.flatten().shape);
        Reference.AssertClose(data, x.flatten(), 0);
    }

    [Fact]
    public void PermuteAndTranspose_MoveElementsWithTheirIndices()
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [2, 3, 4];
        var data = Reference.Uniform(24, 1);
        var x = torch.tensor(data, shape);

        var permuted = x.permute(2, 0, 1);
        Assert.Equal([4L, 2L, 3L], permuted.shape);
        Reference.AssertClose(Permute(data, shape, [2, 0, 1]), permuted, 0);

        var transposed = x.transpose(0, 2);
        Assert.Equal([4L, 3L, 2L], transposed.shape);
        Reference.AssertClose(Permute(data, shape, [2, 1, 0]), transposed, 0);
        Reference.AssertClose(Permute(data, shape, [2, 1, 0]), transposed.contiguous(), 0);
        Reference.AssertClose(Permute(data, shape, [0, 2, 1]), x.transpose(-1, -2), 0);
    }

    [Fact]
    public void UnsqueezeSqueezeExpand_ChangeOnlyTheShape()
    {
        using var scope = torch.NewDisposeScope();
        var data = Reference.Uniform(3, 1);
        var x = torch.tensor(data);

        Assert.Equal([1L, 3L], x.unsqueeze(0).shape);
        Assert.Equal([3L, 1L], x.unsqueeze(-1).shape);
        Assert.Equal([3L], x.unsqueeze(0).squeeze(0).shape);
        Assert.Equal([1L, 3L], x.unsqueeze(0).squeeze(1).shape); // a dimension of size 3 is not squeezed

        var expanded = x.unsqueeze(1).expand(3, 2);
        Assert.Equal([3L, 2L], expanded.shape);
        Reference.AssertClose([data[0], data[0], data[1], data[1], data[2], data[2]], expanded, 0);
        var expandedRows = x.expand(2, 3);
        Reference.AssertClose(data.Concat(data).ToArray(), expandedRows, 0);
    }

    [Fact]
    public void CatAndStack_JoinAlongTheRequestedDimension()
    {
        using var scope = torch.NewDisposeScope();
        var a = Reference.Uniform(6, 1);
        var b = Reference.Uniform(4, 2);
        var c = Reference.Uniform(6, 3);

        var rows = torch.cat([torch.tensor(a, [3, 2]), torch.tensor(b, [2, 2])]);
        Assert.Equal([5L, 2L], rows.shape);
        Reference.AssertClose(a.Concat(b).ToArray(), rows, 0);

        var columns = torch.cat([torch.tensor(a, [2, 3]), torch.tensor(b, [2, 2])], dim: 1);
        Assert.Equal([2L, 5L], columns.shape);
        Reference.AssertClose(a[..3].Concat(b[..2]).Concat(a[3..]).Concat(b[2..]).ToArray(), columns, 0);

        var stacked = torch.stack([torch.tensor(a, [2, 3]), torch.tensor(c, [2, 3])], dim: 1);
        Assert.Equal([2L, 2L, 3L], stacked.shape);
        Reference.AssertClose(a[..3].Concat(c[..3]).Concat(a[3..]).Concat(c[3..]).ToArray(), stacked, 0);
        Assert.Equal([2L, 2L, 3L], torch.stack([torch.tensor(a, [2, 3]), torch.tensor(c, [2, 3])]).shape);
    }

    [Fact]
    public void SliceNarrowSelectIndexer_PickTheRightElements()
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [3, 7];
        var data = Reference.Uniform(21, 1);
        var x = torch.tensor(data, shape);
        double At(long row, long column) => data[row * 7 + column];

        var sliced = x.slice(1, 1, 6, step: 2); // columns 1, 3, 5
        Assert.Equal([3L, 3L], sliced.shape);
        var expectedSlice = new List<double>();
        for (var r = 0; r < 3; r++) expectedSlice.AddRange([At(r, 1), At(r, 3), At(r, 5)]);
        Reference.AssertClose(expectedSlice, sliced, 0);

        var narrowed = x.narrow(0, 1, 2);
        Assert.Equal([2L, 7L], narrowed.shape);
        Reference.AssertClose(data[7..], narrowed, 0);

        var column = x.select(1, 4);
        Assert.Equal([3L], column.shape);
        Reference.AssertClose([At(0, 4), At(1, 4), At(2, 4)], column, 0);
        Reference.AssertClose(data[14..], x[2], 0);
        Reference.AssertClose([At(2, 6)], x.select(0, -1).select(0, -1).reshape(1), 0);
    }

    [Fact]
    public void IndexSelectAndGather_FollowTheirIndexTensors_IncludingRepeats()
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [3, 4];
        var data = Reference.Uniform(12, 1);
        var x = torch.tensor(data, shape);

        long[] rows = [2, 0, 2];
        var selectedRows = x.index_select(0, torch.tensor(rows));
        Assert.Equal([3L, 4L], selectedRows.shape);
        Reference.AssertClose(rows.SelectMany(r => data.Skip((int)r * 4).Take(4)).ToArray(), selectedRows, 0);
        var selectedColumns = x.index_select(1, torch.tensor(new long[] { 3, 3, 0 }));
        Reference.AssertClose(Enumerable.Range(0, 3).SelectMany(r => new[] { data[r * 4 + 3], data[r * 4 + 3], data[r * 4] }).ToArray(), selectedColumns, 0);

        long[] index = [0, 0, 3, 1, 2, 1];
        var gathered = x.gather(1, torch.tensor(index, [3, 2]));
        Reference.AssertClose(index.Select((column, k) => data[k / 2 * 4 + column]).ToArray(), gathered, 0);
        long[] rowIndex = [2, 0, 1, 2];
        var gatheredDown = x.gather(0, torch.tensor(rowIndex, [1, 4]));
        Reference.AssertClose(rowIndex.Select((row, column) => data[row * 4 + column]).ToArray(), gatheredDown, 0);
    }

    [Fact]
    public void Flip_ReversesTheGivenDimensions()
    {
        using var scope = torch.NewDisposeScope();
        long[] shape = [2, 3, 2];
        var data = Reference.Uniform(12, 1);
        var flipped = torch.tensor(data, shape).flip(0, 2);
        var expected = new double[12];
        for (long flat = 0; flat < 12; flat++)
        {
            var i = Reference.Unravel(flat, shape);
            expected[flat] = data[Reference.Ravel([1 - i[0], i[1], 1 - i[2]], shape)];
        }
        Reference.AssertClose(expected, flipped, 0);
    }

    [Fact]
    public void CloneIsIndependent_AliasAndDetachShareStorage()
    {
        using var scope = torch.NewDisposeScope();
        var original = torch.tensor(new[] { 1.0, 2.0 }).requires_grad_();
        var clone = original.clone();
        var detached = original.detach();
        Assert.True(clone.requires_grad); // clone stays in the graph
        Assert.False(detached.requires_grad);

        using (torch.no_grad()) original.mul_(3);
        Assert.Equal([3.0, 6.0], detached.ToArray<double>());
        Assert.Equal([1.0, 2.0], clone.ToArray<double>());
        Assert.Equal([3.0, 6.0], original.alias().ToArray<double>());
    }

    // ---- conversion and information ----

    [Fact]
    public void To_ConvertsElementTypes_TruncatingTowardZeroForIntegers()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { -1.75, -0.5, 0.25, 2.999, 1e10 });
        Assert.Equal([-1.75f, -0.5f, 0.25f, 2.999f, 1e10f], x.to(ScalarType.Float32).ToArray<float>());
        Assert.Equal([-1L, 0, 0, 2, 10_000_000_000], x.to(ScalarType.Int64).ToArray<long>());
        Assert.Equal([true, true, true, true, true], x.to(ScalarType.Bool).ToArray<bool>());
        var onCpu = x.to(ScalarType.Float32, torch.CPU);
        Assert.Equal(ScalarType.Float32, onCpu.dtype);
        Assert.Equal(DeviceType.CPU, onCpu.cpu().device.Type);
    }

    [Fact]
    public void InformationAndScalarReads_DescribeTheTensor()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros([2, 3, 5], ScalarType.Float64);
        Assert.Equal(3, x.dim());
        Assert.Equal(30, x.numel());
        Assert.Equal(5, x.size(-1));
        Assert.Equal(3, x.size(1));
        Assert.Equal("Tensor [2, 3, 5], Float64, cpu", x.ToString());

        var one = torch.tensor(new[] { -2.75 });
        Assert.Equal(-2.75, one.ToDouble());
        Assert.Equal(-2.75f, one.ToSingle());
        Assert.Equal(-2, one.ToInt64());
        Assert.Equal(123_456_789_012L, torch.tensor(new[] { 123_456_789_012L }).ToInt64());
    }

    [Theory]
    [InlineData(9_007_199_254_740_993L)] // 2^53 + 1: the first integer a double cannot hold
    [InlineData(long.MaxValue)]
    [InlineData(-9_007_199_254_740_995L)]
    public void ToInt64_ReadsInt64TensorsExactly(long value)
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(value, torch.tensor(new[] { value }).ToInt64());
        Assert.Equal(value, torch.tensor(new[] { value }, []).ToInt64());
    }

    private static TheoryData<string> Names(IEnumerable<string> names)
    {
        var data = new TheoryData<string>();
        foreach (var name in names) data.Add(name);
        return data;
    }

    [Fact]
    public void AddInPlace_TakesAWholeAlphaForIntegerTensors_AndAFractionalOneForFloats()
    {
        using var counter = torch.tensor(new long[] { 5 });
        using var one = torch.tensor(new long[] { 1 });
        counter.add_(one);
        counter.add_(one, alpha: 3);
        Assert.Equal(new long[] { 9 }, counter.ToArray<long>());

        using var value = torch.tensor(new[] { 1.0 });
        using var half = torch.tensor(new[] { 0.5 });
        value.add_(half, alpha: 2.5);
        Assert.Equal(new[] { 2.25 }, value.ToArray<double>());
    }
}
