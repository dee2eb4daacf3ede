using Tracker.Training.Torch;
using F = Tracker.Training.Torch.torch.nn.functional;

namespace Tracker.Training.Tests.Torch;

/// <summary>
/// The ops that keep less for backward (bool dropout masks, the recomputed MLP) give what the plain
/// ATen composition gives: the same values and randomness forward, the same gradients backward.
/// </summary>
public class MemoryOpsTests
{
    private const ulong Seed = 1234;

    [Fact]
    public void Dropout_WithGradient_DrawsAtenMaskAndBackpropagatesThroughIt()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([3, 5, 7]);
        var upstream = torch.randn([3, 5, 7]);

        // Without autograd, ATen's own dropout: dropping ones gives the noise {0, 1/(1-p)} itself.
        torch.manual_seed(Seed);
        var noise = F.dropout(torch.ones([3, 5, 7]), p: 0.3);
        torch.manual_seed(Seed);
        var expected = F.dropout(x, p: 0.3);

        var leaf = x.detach().requires_grad_();
        torch.manual_seed(Seed);
        var output = F.dropout(leaf, p: 0.3);
        output.backward(upstream);

        Assert.Equal(expected.ToArray<float>(), output.detach().ToArray<float>());
        Assert.Equal((upstream * noise).ToArray<float>(), leaf.grad!.ToArray<float>());
        Assert.Contains(0f, noise.ToArray<float>()); // the test draws a real mask, not all ones
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.0)]
    public void RecomputedAttention_MatchesTheComposedOps(double p)
    {
        using var scope = torch.NewDisposeScope();
        const long batch = 3, tokens = 5, heads = 2, channels = 8;
        var scale = 1.0 / Math.Sqrt(channels / heads);
        var qkv = torch.randn([batch, tokens, 3 * channels]);
        var upstream = torch.randn([batch, tokens, channels]);

        (float[] Output, float[] Grad) Run(Func<Tensor, Tensor> attention)
        {
            var leaf = qkv.detach().requires_grad_();
            torch.manual_seed(Seed);
            var output = attention(leaf);
            output.backward(upstream);
            return (output.detach().ToArray<float>(), leaf.grad!.ToArray<float>());
        }

        // The module's own path (VisionTransformer.Attention before the projection).
        var composed = Run(t =>
        {
            var split = t.reshape(batch, tokens, 3, heads, channels / heads).permute(2, 0, 3, 1, 4);
            var attn = F.softmax(split[0].matmul(split[1].transpose(-2, -1)) * scale, dim: -1);
            if (p > 0) attn = F.dropout(attn, p);
            return attn.matmul(split[2]).transpose(1, 2).reshape(batch, tokens, channels);
        });
        var recomputed = Run(t => F.recomputed_attention(t, heads, scale, p));

        Assert.Equal(composed.Output, recomputed.Output);
        for (var j = 0; j < composed.Grad.Length; j++)
            Assert.True(Math.Abs(composed.Grad[j] - recomputed.Grad[j]) <= 1e-5 + 1e-5 * Math.Abs(composed.Grad[j]),
                $"gradient [{j}]: composed {composed.Grad[j]}, recomputed {recomputed.Grad[j]}");
    }
}
