// One declaration per function of Native/include/tracker_torch.h, in the same order and with
// the same names; a test checks that every symbol the library exports is declared here.
// Pointers rather than marshalled arrays keep each call a plain blittable transition.
using System.Runtime.InteropServices;

namespace Tracker.Training.Torch.Interop;

internal static unsafe partial class NativeMethods
{
    internal const string LibraryName = "tracker_torch";

    static NativeMethods() => NativeLibraryResolver.Register();

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
    internal static partial int trk_cross_entropy(IntPtr logits, IntPtr target, double label_smoothing, int reduction, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_kl_div(IntPtr input, IntPtr target, int reduction, int log_target, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_mse_loss(IntPtr input, IntPtr target, int reduction, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_adamw_step(IntPtr* @params, IntPtr* exp_avg, IntPtr* exp_avg_sq, int count, double lr, double beta1, double beta2, double eps, double weight_decay, long step);

    [LibraryImport(LibraryName)]
    internal static partial int trk_sgd_step(IntPtr* @params, IntPtr* momentum_buffers, int count, double lr, double momentum, double dampening, double weight_decay, int nesterov, long step);

    [LibraryImport(LibraryName)]
    internal static partial int trk_clip_grad_norm(IntPtr* @params, int count, double max_norm, double* total_norm);
}
