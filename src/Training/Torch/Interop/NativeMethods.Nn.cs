// The functions Native/src/nn.cpp defines: linear algebra and neural-network functions: layers, pooling, normalisation, softmax, losses.
using System.Runtime.InteropServices;

namespace Tracker.Training.Torch.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(LibraryName)]
    internal static partial int trk_matmul(IntPtr a, IntPtr b, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_linear(IntPtr input, IntPtr weight, IntPtr bias, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_conv2d(IntPtr input, IntPtr weight, IntPtr bias, long* stride, long* padding, long* dilation, long groups, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_max_pool2d(IntPtr input, long* kernel, long* stride, long* padding, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_avg_pool2d(IntPtr input, long* kernel, long* stride, long* padding, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_adaptive_avg_pool2d(IntPtr input, long* output_size, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_layer_norm(IntPtr input, long* normalized_shape, int ndim, IntPtr weight, IntPtr bias, double eps, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_batch_norm(IntPtr input, IntPtr weight, IntPtr bias, IntPtr running_mean, IntPtr running_var, int training, double momentum, double eps, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_softmax(IntPtr t, long dim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_log_softmax(IntPtr t, long dim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_dropout(IntPtr t, double p, int training, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_recomputed_attention(IntPtr qkv, long heads, double scale, double p, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_recomputed_mlp(IntPtr x, IntPtr w1, IntPtr b1, IntPtr w2, IntPtr b2, double p1, double p2, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_cross_entropy(IntPtr logits, IntPtr target, double label_smoothing, int reduction, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_kl_div(IntPtr input, IntPtr target, int reduction, int log_target, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_mse_loss(IntPtr input, IntPtr target, int reduction, IntPtr* @out);
}
