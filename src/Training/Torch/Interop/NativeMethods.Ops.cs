// The functions Native/src/ops.cpp defines: elementwise, in-place, reduction and shape operations.
using System.Runtime.InteropServices;

namespace Tracker.Training.Torch.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(LibraryName)]
    internal static partial int trk_add(IntPtr a, IntPtr b, double alpha, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_sub(IntPtr a, IntPtr b, double alpha, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_mul(IntPtr a, IntPtr b, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_div(IntPtr a, IntPtr b, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_pow(IntPtr a, IntPtr b, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_maximum(IntPtr a, IntPtr b, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_minimum(IntPtr a, IntPtr b, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_compare(IntPtr a, IntPtr b, int op, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_compare_scalar(IntPtr a, double b, int op, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_where(IntPtr condition, IntPtr a, IntPtr b, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_masked_fill(IntPtr t, IntPtr mask, double value, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_add_scalar(IntPtr a, double b, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_mul_scalar(IntPtr a, double b, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_div_scalar(IntPtr a, double b, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_pow_scalar(IntPtr a, double exponent, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_rsub_scalar(IntPtr a, double b, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_clamp(IntPtr a, double min, double max, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_neg(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_exp(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_log(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_sqrt(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_abs(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_sign(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_square(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_tanh(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_sigmoid(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_relu(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_gelu(IntPtr t, int tanh_approximation, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_isfinite(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_add_(IntPtr a, IntPtr b, double alpha);

    [LibraryImport(LibraryName)]
    internal static partial int trk_mul_scalar_(IntPtr a, double b);

    [LibraryImport(LibraryName)]
    internal static partial int trk_copy_(IntPtr destination, IntPtr source);

    [LibraryImport(LibraryName)]
    internal static partial int trk_fill_(IntPtr t, double value);

    [LibraryImport(LibraryName)]
    internal static partial int trk_uniform_(IntPtr t, double low, double high);

    [LibraryImport(LibraryName)]
    internal static partial int trk_normal_(IntPtr t, double mean, double std);

    [LibraryImport(LibraryName)]
    internal static partial int trk_sum(IntPtr t, long* dims, int ndims, int keepdim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_mean(IntPtr t, long* dims, int ndims, int keepdim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_amax(IntPtr t, long* dims, int ndims, int keepdim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_amin(IntPtr t, long* dims, int ndims, int keepdim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_var(IntPtr t, long* dims, int ndims, int unbiased, int keepdim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_norm(IntPtr t, double p, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_argmax(IntPtr t, long dim, int keepdim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_logsumexp(IntPtr t, long dim, int keepdim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_topk(IntPtr t, long k, long dim, int largest, IntPtr* values, IntPtr* indices);

    [LibraryImport(LibraryName)]
    internal static partial int trk_reshape(IntPtr t, long* shape, int ndim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_view(IntPtr t, long* shape, int ndim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_expand(IntPtr t, long* shape, int ndim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_permute(IntPtr t, long* dims, int ndims, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_transpose(IntPtr t, long dim0, long dim1, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_flatten(IntPtr t, long start_dim, long end_dim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_unsqueeze(IntPtr t, long dim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_squeeze(IntPtr t, long dim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_cat(IntPtr* tensors, int count, long dim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_stack(IntPtr* tensors, int count, long dim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_slice(IntPtr t, long dim, long start, long end, long step, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_select(IntPtr t, long dim, long index, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_index_select(IntPtr t, long dim, IntPtr index, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_gather(IntPtr t, long dim, IntPtr index, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_flip(IntPtr t, long* dims, int ndims, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_pad(IntPtr t, long* pad, int npad, double value, IntPtr* @out);
}
