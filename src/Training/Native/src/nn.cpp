// Linear algebra and the neural-network functions the models and losses use.
#include "shim.h"

using trk::unwrap;

extern "C" {

int trk_matmul(trk_tensor* a, trk_tensor* b, trk_tensor** out) { TRK_RETURN(out, at::matmul(unwrap(a), unwrap(b))) }

int trk_linear(trk_tensor* input, trk_tensor* weight, trk_tensor* bias, trk_tensor** out) {
    TRK_RETURN(out, at::linear(unwrap(input), unwrap(weight), trk::optional(bias)))
}

int trk_conv2d(trk_tensor* input, trk_tensor* weight, trk_tensor* bias, const int64_t* stride, const int64_t* padding,
               const int64_t* dilation, int64_t groups, trk_tensor** out) {
    TRK_RETURN(out, at::conv2d(unwrap(input), unwrap(weight), trk::optional(bias), trk::ints(stride, 2),
                               trk::ints(padding, 2), trk::ints(dilation, 2), groups))
}

int trk_max_pool2d(trk_tensor* input, const int64_t* kernel, const int64_t* stride, const int64_t* padding, trk_tensor** out) {
    TRK_RETURN(out, at::max_pool2d(unwrap(input), trk::ints(kernel, 2), trk::ints(stride, 2), trk::ints(padding, 2)))
}

int trk_avg_pool2d(trk_tensor* input, const int64_t* kernel, const int64_t* stride, const int64_t* padding, trk_tensor** out) {
    TRK_RETURN(out, at::avg_pool2d(unwrap(input), trk::ints(kernel, 2), trk::ints(stride, 2), trk::ints(padding, 2)))
}

int trk_adaptive_avg_pool2d(trk_tensor* input, const int64_t* output_size, trk_tensor** out) {
    TRK_RETURN(out, at::adaptive_avg_pool2d(unwrap(input), trk::ints(output_size, 2)))
}

int trk_layer_norm(trk_tensor* input, const int64_t* normalized_shape, int ndim, trk_tensor* weight, trk_tensor* bias,
                   double eps, trk_tensor** out) {
    TRK_RETURN(out, at::layer_norm(unwrap(input), trk::ints(normalized_shape, ndim), trk::optional(weight),
                                   trk::optional(bias), eps))
}

int trk_batch_norm(trk_tensor* input, trk_tensor* weight, trk_tensor* bias, trk_tensor* running_mean,
                   trk_tensor* running_var, int training, double momentum, double eps, trk_tensor** out) {
    TRK_RETURN(out, at::batch_norm(unwrap(input), trk::optional(weight), trk::optional(bias), trk::optional(running_mean),
                                   trk::optional(running_var), training != 0, momentum, eps, at::globalContext().userEnabledCuDNN()))
}

int trk_softmax(trk_tensor* t, int64_t dim, trk_tensor** out) { TRK_RETURN(out, at::softmax(unwrap(t), dim)) }
int trk_log_softmax(trk_tensor* t, int64_t dim, trk_tensor** out) { TRK_RETURN(out, at::log_softmax(unwrap(t), dim)) }
int trk_dropout(trk_tensor* t, double p, int training, trk_tensor** out) { TRK_RETURN(out, trk::dropout(unwrap(t), p, training != 0)) }

int trk_recomputed_attention(trk_tensor* qkv, int64_t heads, double scale, double p, trk_tensor** out) {
    TRK_RETURN(out, trk::recomputed_attention(unwrap(qkv), heads, scale, p))
}

int trk_recomputed_mlp(trk_tensor* x, trk_tensor* w1, trk_tensor* b1, trk_tensor* w2, trk_tensor* b2, double p1, double p2,
                       trk_tensor** out) {
    TRK_RETURN(out, trk::recomputed_mlp(unwrap(x), unwrap(w1), unwrap(b1), unwrap(w2), unwrap(b2), p1, p2))
}

int trk_cross_entropy(trk_tensor* logits, trk_tensor* target, double label_smoothing, int reduction, trk_tensor** out) {
    TRK_RETURN(out, at::cross_entropy_loss(unwrap(logits), unwrap(target), c10::nullopt, reduction, -100, label_smoothing))
}

int trk_kl_div(trk_tensor* input, trk_tensor* target, int reduction, int log_target, trk_tensor** out) {
    TRK_RETURN(out, at::kl_div(unwrap(input), unwrap(target), reduction, log_target != 0))
}

int trk_mse_loss(trk_tensor* input, trk_tensor* target, int reduction, trk_tensor** out) {
    TRK_RETURN(out, at::mse_loss(unwrap(input), unwrap(target), reduction))
}

}  // extern "C"
