using Tracker.Training.Torch.Interop;

namespace Tracker.Training.Torch;

/// <summary>How a loss folds its per-element values; the values are at::Reduction's.</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}

public static unsafe partial class torch
{
    public static partial class nn
    {
        /// <summary>Stateless neural-network functions, as torch.nn.functional.</summary>
        public static class functional
        {
            public static Tensor relu(Tensor x) => x.relu();

            /// <summary>GELU; exact (erf) by default, as in PyTorch and the paper's models.</summary>
            public static Tensor gelu(Tensor x, bool tanhApproximation = false)
            {
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_gelu(x.Handle, tanhApproximation ? 1 : 0, &result), result);
            }

            public static Tensor softmax(Tensor x, long dim)
            {
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_softmax(x.Handle, dim, &result), result);
            }

            public static Tensor log_softmax(Tensor x, long dim)
            {
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_log_softmax(x.Handle, dim, &result), result);
            }

            /// <summary>
            /// Zeroes each element with probability p in training and scales the rest by 1/(1-p). On the CPU the
            /// mask comes from a seed drawn from the default generator and is regenerated in backward, not kept.
            /// </summary>
            public static Tensor dropout(Tensor x, double p = 0.5, bool training = true)
            {
                Probability.Check(p, "dropout");
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_dropout(x.Handle, p, training ? 1 : 0, &result), result);
            }

            /// <summary>
            /// Training's attention core from a qkv projection [B, N, 3C] (q, k, v split into heads):
            /// dropout(softmax(q kᵀ · scale), p) v as [B, N, C], with the values and randomness of those calls,
            /// keeping only qkv and the dropout's seed for backward: the attention map is recomputed there.
            /// </summary>
            public static Tensor recomputed_attention(Tensor qkv, long heads, double scale, double p)
            {
                Probability.Check(p, "dropout");
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_recomputed_attention(qkv.Handle, heads, scale, p, &result), result);
            }

            /// <summary>
            /// Training's dropout(linear(dropout(gelu(linear(x, w1, b1)), p1), w2, b2), p2) with the values and
            /// randomness of those calls, keeping x, the first linear's output and the dropouts' seeds for
            /// backward: the activated, dropped hidden tensor (four times x's width) is recomputed there.
            /// </summary>
            public static Tensor recomputed_mlp(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, double p1, double p2)
            {
                Probability.Check(p1, "dropout");
                Probability.Check(p2, "dropout");
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_recomputed_mlp(x.Handle, w1.Handle, b1.Handle, w2.Handle, b2.Handle, p1, p2, &result), result);
            }

            public static Tensor linear(Tensor x, Tensor weight, Tensor? bias = null)
            {
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_linear(x.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, &result), result);
            }

            public static Tensor conv2d(Tensor x, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1)
            {
                long* strides = stackalloc long[] { stride, stride };
                long* paddings = stackalloc long[] { padding, padding };
                long* dilations = stackalloc long[] { dilation, dilation };
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_conv2d(x.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, strides, paddings, dilations, groups, &result), result);
            }

            public static Tensor max_pool2d(Tensor x, long kernel, long? stride = null, long padding = 0)
            {
                long* k = stackalloc long[] { kernel, kernel };
                long* s = stackalloc long[] { stride ?? kernel, stride ?? kernel };
                long* p = stackalloc long[] { padding, padding };
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_max_pool2d(x.Handle, k, s, p, &result), result);
            }

            public static Tensor avg_pool2d(Tensor x, long kernel, long? stride = null, long padding = 0)
            {
                long* k = stackalloc long[] { kernel, kernel };
                long* s = stackalloc long[] { stride ?? kernel, stride ?? kernel };
                long* p = stackalloc long[] { padding, padding };
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_avg_pool2d(x.Handle, k, s, p, &result), result);
            }

            public static Tensor adaptive_avg_pool2d(Tensor x, long outputHeight, long outputWidth)
            {
                long* size = stackalloc long[] { outputHeight, outputWidth };
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_adaptive_avg_pool2d(x.Handle, size, &result), result);
            }

            /// <summary>Constant padding; <paramref name="pad"/> lists (before, after) pairs from the last dimension backwards.</summary>
            public static Tensor pad(Tensor x, long[] pad, double value = 0)
            {
                IntPtr result;
                fixed (long* p = pad) return Native.Wrap(NativeMethods.trk_pad(x.Handle, p, pad.Length, value, &result), result);
            }

            public static Tensor layer_norm(Tensor x, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                IntPtr result;
                fixed (long* s = normalizedShape)
                    return Native.Wrap(NativeMethods.trk_layer_norm(x.Handle, s, normalizedShape.Length, weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero, eps, &result), result);
            }

            /// <summary>Batch normalization; in training it updates the running statistics in place.</summary>
            public static Tensor batch_norm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
                bool training = false, double momentum = 0.1, double eps = 1e-5)
            {
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_batch_norm(x.Handle, weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero,
                    runningMean?.Handle ?? IntPtr.Zero, runningVar?.Handle ?? IntPtr.Zero, training ? 1 : 0, momentum, eps, &result), result);
            }

            /// <summary>Cross entropy of raw logits against class indices, with optional label smoothing.</summary>
            public static Tensor cross_entropy(Tensor logits, Tensor target, double labelSmoothing = 0, Reduction reduction = Reduction.Mean)
            {
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_cross_entropy(logits.Handle, target.Handle, labelSmoothing, (int)reduction, &result), result);
            }

            /// <summary>KL(target || input) with <paramref name="input"/> given as log-probabilities, as torch's kl_div.</summary>
            public static Tensor kl_div(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool logTarget = false)
            {
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_kl_div(input.Handle, target.Handle, (int)reduction, logTarget ? 1 : 0, &result), result);
            }

            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
            {
                IntPtr result;
                return Native.Wrap(NativeMethods.trk_mse_loss(input.Handle, target.Handle, (int)reduction, &result), result);
            }
        }
    }
}
