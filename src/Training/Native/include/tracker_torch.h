/* The C ABI between Tracker.Training (C#) and libtorch.
 *
 * Rules every function follows:
 * - Tensors are opaque handles owned by the caller; free each with trk_free exactly once.
 * - Every function that can fail returns 0 on success and 1 on failure; the failure's message
 *   (libtorch's own) is then in trk_last_error() for the calling thread. No C++ exception
 *   ever crosses this boundary.
 * - Results come back through out-parameters. Optional tensor arguments may be NULL.
 * - dtype codes are c10::ScalarType values; device types are c10::DeviceType values
 *   (0 = cpu, 1 = cuda).
 *
 * Declarations are grouped by the source file that defines them (src/core.cpp, ops.cpp, nn.cpp,
 * optim.cpp, cuda.cpp); the C# side has one NativeMethods partial per file, in the same order.
 */
#ifndef TRACKER_TORCH_H
#define TRACKER_TORCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TRK_API __attribute__((visibility("default")))

typedef struct trk_tensor trk_tensor;

/* ======== src/core.cpp ======== */

/* ---- errors, lifetime, runtime ---- */
TRK_API const char* trk_last_error(void);
TRK_API void trk_free(trk_tensor* t);
TRK_API int64_t trk_live_tensors(void);
TRK_API int trk_cuda_device_count(int64_t* out);
TRK_API int trk_set_num_threads(int n);
TRK_API int trk_get_num_threads(int* out);

/* ---- creation ---- */
TRK_API int trk_from_data(const void* data, int dtype, const int64_t* shape, int ndim, trk_tensor** out);
TRK_API int trk_full(const int64_t* shape, int ndim, double value, int dtype, int device_type, int device_index, trk_tensor** out);
TRK_API int trk_empty(const int64_t* shape, int ndim, int dtype, int device_type, int device_index, trk_tensor** out);
TRK_API int trk_arange(double start, double end, double step, int dtype, int device_type, int device_index, trk_tensor** out);
TRK_API int trk_randn(const int64_t* shape, int ndim, int dtype, int device_type, int device_index, trk_tensor** out);
TRK_API int trk_rand(const int64_t* shape, int ndim, int dtype, int device_type, int device_index, trk_tensor** out);
TRK_API int trk_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int device_type, int device_index, trk_tensor** out);
TRK_API int trk_randperm(int64_t n, int device_type, int device_index, trk_tensor** out);
TRK_API int trk_bernoulli(trk_tensor* probabilities, trk_tensor** out);
TRK_API int trk_bernoulli_p(trk_tensor* like, double p, trk_tensor** out);

/* ---- random state ---- */
TRK_API int trk_manual_seed(uint64_t seed);
TRK_API int trk_rng_state_get(trk_tensor** out);
TRK_API int trk_rng_state_set(trk_tensor* state);

/* ---- information and conversion ---- */
TRK_API int trk_ndim(trk_tensor* t, int64_t* out);
TRK_API int trk_shape(trk_tensor* t, int64_t* out, int capacity);
TRK_API int trk_dtype(trk_tensor* t, int* out);
TRK_API int trk_device(trk_tensor* t, int* type, int* index);
TRK_API int trk_numel(trk_tensor* t, int64_t* out);
TRK_API int trk_copy_to_buffer(trk_tensor* t, void* buffer, int64_t nbytes);
TRK_API int trk_item(trk_tensor* t, double* out);
TRK_API int trk_to(trk_tensor* t, int dtype, int device_type, int device_index, trk_tensor** out);
TRK_API int trk_clone(trk_tensor* t, trk_tensor** out);
TRK_API int trk_contiguous(trk_tensor* t, trk_tensor** out);
TRK_API int trk_detach(trk_tensor* t, trk_tensor** out);
TRK_API int trk_alias(trk_tensor* t, trk_tensor** out);

/* ---- autograd ---- */
TRK_API int trk_requires_grad(trk_tensor* t, int* out);
TRK_API int trk_set_requires_grad(trk_tensor* t, int requires_grad);
TRK_API int trk_grad(trk_tensor* t, trk_tensor** out); /* *out is NULL when no gradient exists */
TRK_API int trk_clear_grad(trk_tensor* t);
TRK_API int trk_backward(trk_tensor* t, trk_tensor* gradient, int retain_graph);
TRK_API int trk_grad_enabled(int* out);
TRK_API int trk_set_grad_enabled(int enabled);

/* ======== src/ops.cpp ======== */

/* ---- elementwise: tensor with tensor ---- */
TRK_API int trk_add(trk_tensor* a, trk_tensor* b, double alpha, trk_tensor** out);
TRK_API int trk_sub(trk_tensor* a, trk_tensor* b, double alpha, trk_tensor** out);
TRK_API int trk_mul(trk_tensor* a, trk_tensor* b, trk_tensor** out);
TRK_API int trk_div(trk_tensor* a, trk_tensor* b, trk_tensor** out);
TRK_API int trk_pow(trk_tensor* a, trk_tensor* b, trk_tensor** out);
TRK_API int trk_maximum(trk_tensor* a, trk_tensor* b, trk_tensor** out);
TRK_API int trk_minimum(trk_tensor* a, trk_tensor* b, trk_tensor** out);
/* comparison: op 0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge */
TRK_API int trk_compare(trk_tensor* a, trk_tensor* b, int op, trk_tensor** out);
TRK_API int trk_compare_scalar(trk_tensor* a, double b, int op, trk_tensor** out);
TRK_API int trk_where(trk_tensor* condition, trk_tensor* a, trk_tensor* b, trk_tensor** out);
TRK_API int trk_masked_fill(trk_tensor* t, trk_tensor* mask, double value, trk_tensor** out);

/* ---- elementwise: tensor with scalar ---- */
TRK_API int trk_add_scalar(trk_tensor* a, double b, trk_tensor** out);
TRK_API int trk_mul_scalar(trk_tensor* a, double b, trk_tensor** out);
TRK_API int trk_div_scalar(trk_tensor* a, double b, trk_tensor** out);
TRK_API int trk_pow_scalar(trk_tensor* a, double exponent, trk_tensor** out);
TRK_API int trk_rsub_scalar(trk_tensor* a, double b, trk_tensor** out); /* b - a */
TRK_API int trk_clamp(trk_tensor* a, double min, double max, trk_tensor** out);

/* ---- elementwise: unary ---- */
TRK_API int trk_neg(trk_tensor* t, trk_tensor** out);
TRK_API int trk_exp(trk_tensor* t, trk_tensor** out);
TRK_API int trk_log(trk_tensor* t, trk_tensor** out);
TRK_API int trk_sqrt(trk_tensor* t, trk_tensor** out);
TRK_API int trk_abs(trk_tensor* t, trk_tensor** out);
TRK_API int trk_sign(trk_tensor* t, trk_tensor** out);
TRK_API int trk_square(trk_tensor* t, trk_tensor** out);
TRK_API int trk_tanh(trk_tensor* t, trk_tensor** out);
TRK_API int trk_sigmoid(trk_tensor* t, trk_tensor** out);
TRK_API int trk_relu(trk_tensor* t, trk_tensor** out);
TRK_API int trk_gelu(trk_tensor* t, int tanh_approximation, trk_tensor** out);
TRK_API int trk_isfinite(trk_tensor* t, trk_tensor** out);

/* ---- in place (used by optimizers, initialisers and schedules) ---- */
TRK_API int trk_add_(trk_tensor* a, trk_tensor* b, double alpha);
TRK_API int trk_mul_scalar_(trk_tensor* a, double b);
TRK_API int trk_copy_(trk_tensor* destination, trk_tensor* source);
TRK_API int trk_fill_(trk_tensor* t, double value);
TRK_API int trk_uniform_(trk_tensor* t, double low, double high);
TRK_API int trk_normal_(trk_tensor* t, double mean, double std);

/* ---- reductions (dims NULL/ndims 0 = over all elements) ---- */
TRK_API int trk_sum(trk_tensor* t, const int64_t* dims, int ndims, int keepdim, trk_tensor** out);
TRK_API int trk_mean(trk_tensor* t, const int64_t* dims, int ndims, int keepdim, trk_tensor** out);
TRK_API int trk_amax(trk_tensor* t, const int64_t* dims, int ndims, int keepdim, trk_tensor** out);
TRK_API int trk_amin(trk_tensor* t, const int64_t* dims, int ndims, int keepdim, trk_tensor** out);
TRK_API int trk_var(trk_tensor* t, const int64_t* dims, int ndims, int unbiased, int keepdim, trk_tensor** out);
TRK_API int trk_norm(trk_tensor* t, double p, trk_tensor** out);
TRK_API int trk_argmax(trk_tensor* t, int64_t dim, int keepdim, trk_tensor** out);
TRK_API int trk_logsumexp(trk_tensor* t, int64_t dim, int keepdim, trk_tensor** out);
TRK_API int trk_topk(trk_tensor* t, int64_t k, int64_t dim, int largest, trk_tensor** values, trk_tensor** indices);

/* ---- shape and indexing ---- */
TRK_API int trk_reshape(trk_tensor* t, const int64_t* shape, int ndim, trk_tensor** out);
TRK_API int trk_view(trk_tensor* t, const int64_t* shape, int ndim, trk_tensor** out);
TRK_API int trk_expand(trk_tensor* t, const int64_t* shape, int ndim, trk_tensor** out);
TRK_API int trk_permute(trk_tensor* t, const int64_t* dims, int ndims, trk_tensor** out);
TRK_API int trk_transpose(trk_tensor* t, int64_t dim0, int64_t dim1, trk_tensor** out);
TRK_API int trk_flatten(trk_tensor* t, int64_t start_dim, int64_t end_dim, trk_tensor** out);
TRK_API int trk_unsqueeze(trk_tensor* t, int64_t dim, trk_tensor** out);
TRK_API int trk_squeeze(trk_tensor* t, int64_t dim, trk_tensor** out);
TRK_API int trk_cat(trk_tensor** tensors, int count, int64_t dim, trk_tensor** out);
TRK_API int trk_stack(trk_tensor** tensors, int count, int64_t dim, trk_tensor** out);
TRK_API int trk_slice(trk_tensor* t, int64_t dim, int64_t start, int64_t end, int64_t step, trk_tensor** out);
TRK_API int trk_select(trk_tensor* t, int64_t dim, int64_t index, trk_tensor** out);
TRK_API int trk_index_select(trk_tensor* t, int64_t dim, trk_tensor* index, trk_tensor** out);
TRK_API int trk_gather(trk_tensor* t, int64_t dim, trk_tensor* index, trk_tensor** out);
TRK_API int trk_flip(trk_tensor* t, const int64_t* dims, int ndims, trk_tensor** out);
TRK_API int trk_pad(trk_tensor* t, const int64_t* pad, int npad, double value, trk_tensor** out);

/* ======== src/nn.cpp ======== */

/* ---- linear algebra and neural-network functions ---- */
TRK_API int trk_matmul(trk_tensor* a, trk_tensor* b, trk_tensor** out);
TRK_API int trk_linear(trk_tensor* input, trk_tensor* weight, trk_tensor* bias, trk_tensor** out);
TRK_API int trk_conv2d(trk_tensor* input, trk_tensor* weight, trk_tensor* bias, const int64_t* stride,
                       const int64_t* padding, const int64_t* dilation, int64_t groups, trk_tensor** out);
TRK_API int trk_max_pool2d(trk_tensor* input, const int64_t* kernel, const int64_t* stride, const int64_t* padding, trk_tensor** out);
TRK_API int trk_avg_pool2d(trk_tensor* input, const int64_t* kernel, const int64_t* stride, const int64_t* padding, trk_tensor** out);
TRK_API int trk_adaptive_avg_pool2d(trk_tensor* input, const int64_t* output_size, trk_tensor** out);
TRK_API int trk_layer_norm(trk_tensor* input, const int64_t* normalized_shape, int ndim, trk_tensor* weight,
                           trk_tensor* bias, double eps, trk_tensor** out);
TRK_API int trk_batch_norm(trk_tensor* input, trk_tensor* weight, trk_tensor* bias, trk_tensor* running_mean,
                           trk_tensor* running_var, int training, double momentum, double eps, trk_tensor** out);
TRK_API int trk_softmax(trk_tensor* t, int64_t dim, trk_tensor** out);
TRK_API int trk_log_softmax(trk_tensor* t, int64_t dim, trk_tensor** out);
TRK_API int trk_dropout(trk_tensor* t, double p, int training, trk_tensor** out);
/* Attention core from qkv [B, N, 3C] (q, k, v each C = heads x d): dropout(softmax(q k^T scale), p) v as
   [B, N, C], in training, keeping only qkv and the dropout's seed for backward. */
TRK_API int trk_recomputed_attention(trk_tensor* qkv, int64_t heads, double scale, double p, trk_tensor** out);
/* timm's Mlp in training: dropout(linear(dropout(gelu(linear(x, w1, b1)), p1), w2, b2), p2), keeping x, the first
   linear's output and the dropouts' seeds for backward (the activated hidden tensor is recomputed there). */
TRK_API int trk_recomputed_mlp(trk_tensor* x, trk_tensor* w1, trk_tensor* b1, trk_tensor* w2, trk_tensor* b2, double p1,
                               double p2, trk_tensor** out);
/* reduction: 0 none, 1 mean, 2 sum (at::Reduction values) */
TRK_API int trk_cross_entropy(trk_tensor* logits, trk_tensor* target, double label_smoothing, int reduction, trk_tensor** out);
TRK_API int trk_kl_div(trk_tensor* input, trk_tensor* target, int reduction, int log_target, trk_tensor** out);
TRK_API int trk_mse_loss(trk_tensor* input, trk_tensor* target, int reduction, trk_tensor** out);

/* ======== src/optim.cpp ======== */

/* ---- optimizers: one call updates every parameter (parameters without a gradient are skipped) ---- */
TRK_API int trk_adamw_step(trk_tensor** params, trk_tensor** exp_avg, trk_tensor** exp_avg_sq, int count,
                           double lr, double beta1, double beta2, double eps, double weight_decay, int64_t step);
TRK_API int trk_sgd_step(trk_tensor** params, trk_tensor** momentum_buffers, int count, double lr, double momentum,
                         double dampening, double weight_decay, int nesterov, int64_t step);
TRK_API int trk_clip_grad_norm(trk_tensor** params, int count, double max_norm, double* total_norm);
/* AdamW whose learning rate and step count live in device tensors (float32 scalars), so a captured
 * CUDA graph replays it correctly: the step tensor is incremented inside. CUDA builds only. */
TRK_API int trk_adamw_step_device(trk_tensor** params, trk_tensor** exp_avg, trk_tensor** exp_avg_sq, int count,
                                  trk_tensor* lr, trk_tensor* step, double beta1, double beta2, double eps, double weight_decay);
/* Zeroes the gradients in place (they keep their memory, as a captured graph needs). */
TRK_API int trk_zero_grads(trk_tensor** params, int count);
TRK_API int trk_set_grad(trk_tensor* param, trk_tensor* grad); /* grad NULL clears it */

/* ======== src/cuda.cpp ======== */

/* ---- CUDA graphs: capture a step once on a side stream, replay it on the current stream ---- */
typedef struct trk_cuda_graph trk_cuda_graph;
TRK_API int trk_cuda_graphs_available(int* out); /* 0 when the shim was built without CUDA or no GPU is present */
TRK_API int trk_cuda_graph_new(int device_index, trk_cuda_graph** out);
TRK_API void trk_cuda_graph_free(trk_cuda_graph* graph);
TRK_API int trk_cuda_graph_enter(trk_cuda_graph* graph); /* make the graph's side stream current */
TRK_API int trk_cuda_graph_leave(trk_cuda_graph* graph); /* back to the stream current before enter */
TRK_API int trk_cuda_graph_capture_begin(trk_cuda_graph* graph);
TRK_API int trk_cuda_graph_capture_end(trk_cuda_graph* graph);
TRK_API int trk_cuda_graph_replay(trk_cuda_graph* graph);

#ifdef __cplusplus
}
#endif

#endif
