using Tracker.Training.Torch;
using F = Tracker.Training.Torch.torch.nn.functional;

namespace Tracker.Training.Tests.Torch;

/// <summary>
/// The ops that keep less for backward: CPU dropout draws its mask from a seed and regenerates it in
/// backward; the recomputed attention and MLP give what the composed ops give, values and gradients.
/// </summary>
public class MemoryOpsTests
{
    private const ulong Seed = 1234;

    [Fact]
    public void Dropout_WithGradient_BackpropagatesThroughTheMaskItDrew()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([3, 5, 7]);
        var upstream = torch.randn([3, 5, 7]);

        // Dropping ones gives the noise {0, 1/(1-p)} itself; the same seed draws the same mask.
        torch.manual_seed(Seed);
        var noise = F.dropout(torch.ones([3, 5, 7]), p: 0.3);
        torch.manual_seed(Seed);
        var expected = F.dropout(x, p: 0.3);

        var leaf = x.detach().requires_grad_();
        torch.manual_seed(Seed);
        var output = F.dropout(leaf, p: 0.3);
        output.backward(upstream);

        Assert.Equal((x * noise).ToArray<float>(), expected.ToArray<float>());
        Assert.Equal(expected.ToArray<float>(), output.detach().ToArray<float>());
        Assert.Equal((upstream * noise).ToArray<float>(), leaf.grad!.ToArray<float>());
        Assert.Contains(0f, noise.ToArray<float>()); // the test draws a real mask, not all ones
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.9)]
    public void Dropout_DropsAboutPAndKeepsTheExpectation(double p)
    {
        using var scope = torch.NewDisposeScope();
        const int n = 1_000_000;
        torch.manual_seed(Seed);
        var noise = F.dropout(torch.ones([n]), p).ToArray<float>();

        var dropped = noise.Count(v => v == 0);
        var sigma = Math.Sqrt(n * p * (1 - p));
        Assert.InRange(dropped, n * p - 5 * sigma, n * p + 5 * sigma);
        // Every kept element carries ATen's factor, 1/(1-p).
        var kept = noise.Where(v => v != 0).Distinct().ToArray();
        Assert.Single(kept);
        Assert.Equal((float)(1 / (1 - p)), kept[0]);
        // Neighbouring elements are independent: a dropped element's neighbour is dropped about p of the time.
        var pairs = Enumerable.Range(0, n - 1).Count(i => noise[i] == 0 && noise[i + 1] == 0);
        Assert.InRange(pairs / (double)dropped, p - 0.01, p + 0.01);
    }

    [Fact]
    public void Dropout_EachCallDrawsANewMaskAndASeedRepeatsThem()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(Seed);
        var first = F.dropout(torch.ones([4096]), 0.5).ToArray<float>();
        var second = F.dropout(torch.ones([4096]), 0.5).ToArray<float>();
        torch.manual_seed(Seed);
        var again = F.dropout(torch.ones([4096]), 0.5).ToArray<float>();

        Assert.Equal(first, again);
        Assert.NotEqual(first, second);
        // Another seed draws another mask.
        torch.manual_seed(Seed + 1);
        Assert.NotEqual(first, F.dropout(torch.ones([4096]), 0.5).ToArray<float>());
    }

    [Fact]
    public void Dropout_OfANonContiguousInput_MatchesItsContiguousCopy()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([6, 9]).transpose(0, 1);
        torch.manual_seed(Seed);
        var fromView = F.dropout(x, 0.4).ToArray<float>();
        torch.manual_seed(Seed);
        Assert.Equal(F.dropout(x.contiguous(), 0.4).ToArray<float>(), fromView);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.0)]
    public void RecomputedAttention_MatchesTheComposedOps(double p)
    {
        using var scope = torch.NewDisposeScope();
        const long batch = 3, tokens = 5, heads = 2, channels = 8;
        var scale = 1.0 / Math.Sqrt(channels / heads);
        Tensor[] inputs = [torch.randn([batch, tokens, 3 * channels])];
        var upstream = torch.randn([batch, tokens, channels]);

        // The module's own path (VisionTransformer.Attention before the projection).
        var composed = ForwardBackward(inputs, upstream, t =>
        {
            var split = t[0].reshape(batch, tokens, 3, heads, channels / heads).permute(2, 0, 3, 1, 4);
            var attn = F.softmax(split[0].matmul(split[1].transpose(-2, -1)) * scale, dim: -1);
            if (p > 0) attn = F.dropout(attn, p);
            return attn.matmul(split[2]).transpose(1, 2).reshape(batch, tokens, channels);
        });
        var recomputed = ForwardBackward(inputs, upstream, t => F.recomputed_attention(t[0], heads, scale, p));

        AssertSame(composed, recomputed, absolute: 1e-5);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.0)]
    public void RecomputedMlp_MatchesTheComposedOps(double p)
    {
        using var scope = torch.NewDisposeScope();
        const long batch = 3, tokens = 5, width = 8, hidden = 32;
        Tensor[] inputs = [torch.randn([batch, tokens, width]), torch.randn([hidden, width]), torch.randn([hidden]), torch.randn([width, hidden]), torch.randn([width])];
        var upstream = torch.randn([batch, tokens, width]);

        // The module path (FeedForward with plain linear layers).
        var composed = ForwardBackward(inputs, upstream, t =>
        {
            var h = F.gelu(F.linear(t[0], t[1], t[2]));
            if (p > 0) h = F.dropout(h, p);
            var y = F.linear(h, t[3], t[4]);
            return p > 0 ? F.dropout(y, p) : y;
        });
        var recomputed = ForwardBackward(inputs, upstream, t => F.recomputed_mlp(t[0], t[1], t[2], t[3], t[4], p, p));

        if (p > 0) Assert.Contains(0f, recomputed.Output); // a real mask was drawn
        AssertSame(composed, recomputed, absolute: 1e-4);
    }

    /// <summary>The op's output and each input's gradient for <paramref name="upstream"/>, its masks drawn from <see cref="Seed"/>.</summary>
    private static (float[] Output, float[][] Grads) ForwardBackward(Tensor[] inputs, Tensor upstream, Func<Tensor[], Tensor> op)
    {
        var leaves = inputs.Select(t => t.detach().requires_grad_()).ToArray();
        torch.manual_seed(Seed);
        var output = op(leaves);
        output.backward(upstream);
        return (output.detach().ToArray<float>(), leaves.Select(l => l.grad!.ToArray<float>()).ToArray());
    }

    /// <summary>The same output exactly (same ops, same masks); gradients to float rounding (another order of sums).</summary>
    private static void AssertSame((float[] Output, float[][] Grads) composed, (float[] Output, float[][] Grads) recomputed, double absolute)
    {
        Assert.Equal(composed.Output, recomputed.Output);
        for (var i = 0; i < composed.Grads.Length; i++)
        for (var j = 0; j < composed.Grads[i].Length; j++)
            Assert.True(Math.Abs(composed.Grads[i][j] - recomputed.Grads[i][j]) <= absolute + 1e-5 * Math.Abs(composed.Grads[i][j]),
                $"gradient {i}[{j}]: composed {composed.Grads[i][j]}, recomputed {recomputed.Grads[i][j]}");
    }
}
