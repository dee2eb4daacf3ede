using Tracker.Training.Torch;
using F = Tracker.Training.Torch.torch.nn.functional;

namespace Tracker.Training.Tests.Torch;

/// <summary>Every differentiable op's autograd gradient, with respect to each of its tensor inputs, against central differences.</summary>
public class GradientCheckTests
{
    private sealed record Case(Func<Tensor[]> Inputs, Func<Tensor[], Tensor> Function);

    private const ScalarType F64 = ScalarType.Float64;

    private static Tensor Random(long[] shape, int seed, double low = -1, double high = 1) => Reference.Tensor(shape, seed, low, high);

    private static Tensor Positive(long[] shape, int seed) => Reference.Tensor(shape, seed, 0.5, 2);

    private static Tensor AwayFromZero(long[] shape, int seed) => torch.tensor(Reference.AwayFromZero(Reference.Count(shape), seed), shape);

    private static Tensor Longs(params long[] values) => torch.tensor(values);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // ---- elementwise arithmetic (with broadcasting, so the reduction back to the input's shape is checked too) ----
        ["add"] = new(() => [Random([2, 3], 1), Random([3], 2)], x => x[0].add(x[1], alpha: 2.5)),
        ["sub"] = new(() => [Random([2, 3], 1), Random([2, 1], 2)], x => x[0].sub(x[1], alpha: 0.5)),
        ["mul"] = new(() => [Random([2, 3], 1), Random([2, 1], 2)], x => x[0] * x[1]),
        ["div"] = new(() => [Random([2, 3], 1), Positive([3], 2)], x => x[0] / x[1]),
        ["pow"] = new(() => [Positive([2, 3], 1), Random([2, 3], 2, -1.5, 1.5)], x => x[0].pow(x[1])),
        ["pow_scalar"] = new(() => [Positive([2, 3], 1)], x => x[0].pow(2.5)),
        ["operators_with_scalars"] = new(() => [Random([2, 3], 1)], x => ((2.0 - x[0]) * 3.0 + 1.5 - 0.25) / 4.0 + (0.5 * x[0]).add(1).mul(2).div(3)),
        ["neg"] = new(() => [Random([2, 3], 1)], x => -x[0]),
        ["maximum"] = new(() => [Random([2, 3], 1), Random([2, 3], 2)], x => x[0].maximum(x[1])),
        ["minimum"] = new(() => [Random([2, 3], 1), Random([2, 3], 2)], x => x[0].minimum(x[1])),

        // ---- unary ----
        ["exp"] = new(() => [Random([2, 3], 1)], x => x[0].exp()),
        ["log"] = new(() => [Positive([2, 3], 1)], x => x[0].log()),
        ["sqrt"] = new(() => [Positive([2, 3], 1)], x => x[0].sqrt()),
        ["abs"] = new(() => [AwayFromZero([2, 3], 1)], x => x[0].abs()),
        ["square"] = new(() => [Random([2, 3], 1)], x => x[0].square()),
        ["tanh"] = new(() => [Random([2, 3], 1, -2, 2)], x => x[0].tanh()),
        ["sigmoid"] = new(() => [Random([2, 3], 1, -3, 3)], x => x[0].sigmoid()),
        ["relu"] = new(() => [AwayFromZero([2, 3], 1)], x => F.relu(x[0])),
        ["gelu"] = new(() => [Random([2, 4], 1, -3, 3)], x => F.gelu(x[0])),
        ["gelu_tanh"] = new(() => [Random([2, 4], 1, -3, 3)], x => F.gelu(x[0], tanhApproximation: true)),
        // Values sit clear of the bounds ±0.5: some inside (gradient 1), some clipped (gradient 0).
        ["clamp"] = new(() => [torch.tensor(new[] { -1.2, -0.8, -0.3, -0.1, 0.2, 0.4, 0.7, 1.1 }, [2, 4])], x => x[0].clamp(-0.5, 0.5)),

        // ---- linear algebra ----
        ["matmul"] = new(() => [Random([3, 4], 1), Random([4, 2], 2)], x => x[0].matmul(x[1])),
        ["matmul_batched_broadcast"] = new(() => [Random([2, 3, 4], 1), Random([4, 2], 2)], x => torch.matmul(x[0], x[1])),
        ["linear"] = new(() => [Random([2, 3, 4], 1), Random([5, 4], 2), Random([5], 3)], x => F.linear(x[0], x[1], x[2])),
        ["linear_without_bias"] = new(() => [Random([3, 4], 1), Random([5, 4], 2)], x => F.linear(x[0], x[1])),

        // ---- convolution and pooling ----
        ["conv2d_stride_padding_groups"] = new(() => [Random([2, 4, 5, 5], 1), Random([6, 2, 3, 3], 2), Random([6], 3)],
            x => F.conv2d(x[0], x[1], x[2], stride: 2, padding: 1, groups: 2)),
        ["conv2d_dilation"] = new(() => [Random([1, 2, 6, 6], 1), Random([3, 2, 2, 2], 2)],
            x => F.conv2d(x[0], x[1], padding: 1, dilation: 2)),
        ["max_pool2d"] = new(() => [Random([1, 2, 5, 5], 1)], x => F.max_pool2d(x[0], 3, stride: 2, padding: 1)),
        ["avg_pool2d"] = new(() => [Random([1, 2, 5, 5], 1)], x => F.avg_pool2d(x[0], 3, stride: 2, padding: 1)),
        ["adaptive_avg_pool2d"] = new(() => [Random([1, 2, 5, 7], 1)], x => F.adaptive_avg_pool2d(x[0], 3, 2)),

        // ---- normalization ----
        ["layer_norm"] = new(() => [Random([3, 4], 1), Random([4], 2), Random([4], 3)], x => F.layer_norm(x[0], [4], x[1], x[2])),
        ["layer_norm_two_dims"] = new(() => [Random([2, 3, 4], 1), Random([3, 4], 2), Random([3, 4], 3)],
            x => F.layer_norm(x[0], [3, 4], x[1], x[2], eps: 1e-3)),
        ["batch_norm_train"] = new(() => [Random([3, 2, 2, 2], 1), Random([2], 2), Random([2], 3)],
            x => F.batch_norm(x[0], torch.zeros([2], F64), torch.ones([2], F64), x[1], x[2], training: true)),
        ["batch_norm_eval"] = new(() => [Random([3, 2, 2, 2], 1), Random([2], 2), Random([2], 3)],
            x => F.batch_norm(x[0], torch.tensor(new[] { 0.3, -0.2 }), torch.tensor(new[] { 0.5, 2.0 }), x[1], x[2], training: false)),

        // ---- activations over a dimension and losses ----
        ["softmax"] = new(() => [Random([3, 4], 1, -2, 2)], x => F.softmax(x[0], 1)),
        ["softmax_dim0"] = new(() => [Random([3, 4], 1, -2, 2)], x => F.softmax(x[0], 0)),
        ["log_softmax"] = new(() => [Random([3, 4], 1, -2, 2)], x => F.log_softmax(x[0], -1)),
        ["cross_entropy"] = new(() => [Random([4, 5], 1, -2, 2)], x => F.cross_entropy(x[0], Longs(0, 3, 4, 3))),
        ["cross_entropy_label_smoothing"] = new(() => [Random([4, 5], 1, -2, 2)], x => F.cross_entropy(x[0], Longs(0, 3, 4, 3), labelSmoothing: 0.1)),
        ["cross_entropy_unreduced"] = new(() => [Random([4, 5], 1, -2, 2)],
            x => F.cross_entropy(x[0], Longs(0, 3, 4, 3), labelSmoothing: 0.2, reduction: Reduction.None)),
        ["kl_div"] = new(() => [Random([3, 4], 1, -2, 0), Positive([3, 4], 2)], x => F.kl_div(x[0], x[1])),
        ["kl_div_log_target_sum"] = new(() => [Random([3, 4], 1, -2, 0), Random([3, 4], 2, -2, 0)],
            x => F.kl_div(x[0], x[1], Reduction.Sum, logTarget: true)),
        ["mse_loss"] = new(() => [Random([3, 4], 1), Random([3, 4], 2)], x => F.mse_loss(x[0], x[1])),
        ["mse_loss_unreduced"] = new(() => [Random([3, 4], 1), Random([3, 4], 2)], x => F.mse_loss(x[0], x[1], Reduction.None)),
        // Reseeding before each evaluation replays the same mask, which makes dropout a fixed function.
        ["dropout_with_fixed_mask"] = new(() => [Random([4, 5], 1)], x =>
        {
            torch.manual_seed(5);
            return F.dropout(x[0], 0.3);
        }),

        // ---- reductions ----
        ["sum"] = new(() => [Random([2, 3], 1)], x => x[0].sum()),
        ["sum_dim"] = new(() => [Random([2, 3, 2], 1)], x => x[0].sum(1)),
        ["sum_dims_keepdim"] = new(() => [Random([2, 3, 2], 1)], x => x[0].sum([0, 2], keepdim: true)),
        ["mean"] = new(() => [Random([2, 3], 1)], x => x[0].mean()),
        ["mean_dim"] = new(() => [Random([2, 3, 2], 1)], x => x[0].mean(-1, keepdim: true)),
        ["var"] = new(() => [Random([2, 3], 1)], x => x[0].var()),
        ["var_dim_biased"] = new(() => [Random([2, 3, 2], 1)], x => x[0].var(1, unbiased: false)),
        ["norm"] = new(() => [Random([2, 3], 1)], x => x[0].norm()),
        ["norm_p3"] = new(() => [AwayFromZero([2, 3], 1)], x => x[0].norm(3)),
        ["logsumexp"] = new(() => [Random([3, 4], 1, -2, 2)], x => x[0].logsumexp(1)),
        ["amax"] = new(() => [Random([3, 4], 1)], x => x[0].amax()),
        ["amax_dim"] = new(() => [Random([3, 4], 1)], x => x[0].amax(1, keepdim: true)),
        ["amin_dim"] = new(() => [Random([3, 4], 1)], x => x[0].amin(0)),

        // ---- shape and indexing ----
        ["reshape"] = new(() => [Random([2, 6], 1)], x => x[0].reshape(3, 4)),
        ["view"] = new(() => [Random([2, 6], 1)], x => x[0].view(4, -1)),
        ["permute"] = new(() => [Random([2, 3, 4], 1)], x => x[0].permute(2, 0, 1)),
        ["transpose"] = new(() => [Random([2, 3, 4], 1)], x => x[0].transpose(0, 2)),
        ["flatten"] = new(() => [Random([2, 3, 2], 1)], x => x[0].flatten(1)),
        ["unsqueeze_squeeze"] = new(() => [Random([2, 3], 1)], x => x[0].unsqueeze(1).mul(x[0].unsqueeze(2)).squeeze(0).contiguous()),
        ["cat"] = new(() => [Random([2, 3], 1), Random([2, 2], 2)], x => torch.cat([x[0], x[1]], dim: 1)),
        ["stack"] = new(() => [Random([2, 3], 1), Random([2, 3], 2)], x => torch.stack([x[0], x[1]], dim: 1)),
        ["slice_with_step"] = new(() => [Random([3, 7], 1)], x => x[0].slice(1, 1, 6, step: 2)),
        ["narrow"] = new(() => [Random([5, 2], 1)], x => x[0].narrow(0, 1, 3)),
        ["select"] = new(() => [Random([3, 4], 1)], x => x[0].select(1, 2)),
        ["indexer"] = new(() => [Random([3, 4], 1)], x => x[0][1]),
        ["index_select_with_repeats"] = new(() => [Random([4, 3], 1)], x => x[0].index_select(0, Longs(2, 0, 2, 3))),
        ["gather_with_repeats"] = new(() => [Random([3, 4], 1)], x => x[0].gather(1, torch.tensor(new long[] { 0, 0, 3, 1, 2, 1, 3, 3, 0 }, [3, 3]))),
        ["flip"] = new(() => [Random([2, 3, 2], 1)], x => x[0].flip(0, 2)),
        ["pad"] = new(() => [Random([2, 3], 1)], x => F.pad(x[0], [1, 2, 0, 1], value: 0.5)),
        ["expand"] = new(() => [Random([3, 1], 1)], x => x[0].expand(2, 3, 4)),
        ["masked_fill"] = new(() => [Random([2, 3], 1)], x => x[0].masked_fill(torch.tensor(new[] { true, false, false, true, false, true }, [2, 3]), 7)),
        ["where"] = new(() => [Random([2, 3], 1), Random([2, 3], 2)],
            x => torch.where(torch.tensor(new[] { true, false, false, true, true, false }, [2, 3]), x[0], x[1])),
        ["clone_and_alias_keep_the_graph"] = new(() => [Random([2, 3], 1)], x => x[0].clone() * x[0].alias()),
    };

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var name in Cases.Keys) names.Add(name);
        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Autograd_MatchesCentralDifferences(string op)
    {
        using var scope = torch.NewDisposeScope();
        var testCase = Cases[op];
        FiniteDifferences.AssertGradientsMatch(testCase.Function, testCase.Inputs());
    }

    [Fact]
    public void Checker_RejectsAWrongGradient()
    {
        using var scope = torch.NewDisposeScope();
        // d(x·x)/dx is 2x, but detaching one factor makes autograd report x.
        var problems = FiniteDifferences.FindMismatches(x => x[0] * x[0].detach(), Random([2, 3], 1));
        Assert.Equal(6, problems.Count);
    }

    [Fact]
    public void Checker_RejectsAnInputThatDoesNotReachTheOutput()
    {
        using var scope = torch.NewDisposeScope();
        var problems = FiniteDifferences.FindMismatches(x => x[0] * 2, Random([2], 1), Random([2], 2));
        Assert.Single(problems);
        Assert.Contains("input 1 does not influence", problems[0]);
    }
}
