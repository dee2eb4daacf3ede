// The functions Native/src/core.cpp defines: errors, tensor lifetime, runtime settings, creation, random state, information and conversion, autograd.
using System.Runtime.InteropServices;

namespace Tracker.Training.Torch.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(LibraryName)]
    internal static partial IntPtr trk_last_error();

    [LibraryImport(LibraryName)]
    internal static partial void trk_free(IntPtr t);

    [LibraryImport(LibraryName)]
    internal static partial long trk_live_tensors();

    [LibraryImport(LibraryName)]
    internal static partial int trk_cuda_device_count(long* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_set_num_threads(int n);

    [LibraryImport(LibraryName)]
    internal static partial int trk_get_num_threads(int* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_from_data(void* data, int dtype, long* shape, int ndim, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_full(long* shape, int ndim, double value, int dtype, int device_type, int device_index, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_empty(long* shape, int ndim, int dtype, int device_type, int device_index, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_arange(double start, double end, double step, int dtype, int device_type, int device_index, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_randn(long* shape, int ndim, int dtype, int device_type, int device_index, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_rand(long* shape, int ndim, int dtype, int device_type, int device_index, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_randint(long low, long high, long* shape, int ndim, int device_type, int device_index, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_randperm(long n, int device_type, int device_index, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_bernoulli(IntPtr probabilities, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_bernoulli_p(IntPtr like, double p, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_manual_seed(ulong seed);

    [LibraryImport(LibraryName)]
    internal static partial int trk_rng_state_get(IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_rng_state_set(IntPtr state);

    [LibraryImport(LibraryName)]
    internal static partial int trk_ndim(IntPtr t, long* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_shape(IntPtr t, long* @out, int capacity);

    [LibraryImport(LibraryName)]
    internal static partial int trk_dtype(IntPtr t, int* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_device(IntPtr t, int* type, int* index);

    [LibraryImport(LibraryName)]
    internal static partial int trk_numel(IntPtr t, long* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_copy_to_buffer(IntPtr t, void* buffer, long nbytes);

    [LibraryImport(LibraryName)]
    internal static partial int trk_item(IntPtr t, double* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_to(IntPtr t, int dtype, int device_type, int device_index, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_clone(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_contiguous(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_detach(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_alias(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_requires_grad(IntPtr t, int* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_set_requires_grad(IntPtr t, int requires_grad);

    [LibraryImport(LibraryName)]
    internal static partial int trk_grad(IntPtr t, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_clear_grad(IntPtr t);

    [LibraryImport(LibraryName)]
    internal static partial int trk_backward(IntPtr t, IntPtr gradient, int retain_graph);

    [LibraryImport(LibraryName)]
    internal static partial int trk_grad_enabled(int* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_set_grad_enabled(int enabled);
}
