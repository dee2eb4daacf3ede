// Elementwise, in-place, reduction and shape operations: each a one-line forward to ATen.
#include <cmath>

#include "shim.h"

using trk::unwrap;

namespace {
// at::eq and the others take either a tensor or a scalar on the right: one switch serves both.
template <typename Right>
at::Tensor compare(const at::Tensor& a, const Right& b, int op) {
    switch (op) {
        case 0: return at::eq(a, b);
        case 1: return at::ne(a, b);
        case 2: return at::lt(a, b);
        case 3: return at::le(a, b);
        case 4: return at::gt(a, b);
        case 5: return at::ge(a, b);
        default: throw std::invalid_argument("unknown comparison " + std::to_string(op));
    }
}
}  // namespace

extern "C" {

// ---- tensor with tensor ----
// alpha crosses the C ABI as a double; an integral one becomes an integer Scalar so integer tensors accept it.
static at::Scalar alpha_scalar(double alpha) {
    return std::abs(alpha) < 1e15 && alpha == static_cast<double>(static_cast<int64_t>(alpha)) ? at::Scalar(static_cast<int64_t>(alpha)) : at::Scalar(alpha);
}

int trk_add(trk_tensor* a, trk_tensor* b, double alpha, trk_tensor** out) { TRK_RETURN(out, at::add(unwrap(a), unwrap(b), alpha_scalar(alpha))) }
int trk_sub(trk_tensor* a, trk_tensor* b, double alpha, trk_tensor** out) { TRK_RETURN(out, at::sub(unwrap(a), unwrap(b), alpha_scalar(alpha))) }
int trk_mul(trk_tensor* a, trk_tensor* b, trk_tensor** out) { TRK_RETURN(out, at::mul(unwrap(a), unwrap(b))) }
int trk_div(trk_tensor* a, trk_tensor* b, trk_tensor** out) { TRK_RETURN(out, at::div(unwrap(a), unwrap(b))) }
int trk_pow(trk_tensor* a, trk_tensor* b, trk_tensor** out) { TRK_RETURN(out, at::pow(unwrap(a), unwrap(b))) }
int trk_maximum(trk_tensor* a, trk_tensor* b, trk_tensor** out) { TRK_RETURN(out, at::maximum(unwrap(a), unwrap(b))) }
int trk_minimum(trk_tensor* a, trk_tensor* b, trk_tensor** out) { TRK_RETURN(out, at::minimum(unwrap(a), unwrap(b))) }
int trk_compare(trk_tensor* a, trk_tensor* b, int op, trk_tensor** out) { TRK_RETURN(out, compare(unwrap(a), unwrap(b), op)) }
int trk_compare_scalar(trk_tensor* a, double b, int op, trk_tensor** out) { TRK_RETURN(out, compare(unwrap(a), at::Scalar(b), op)) }
int trk_where(trk_tensor* condition, trk_tensor* a, trk_tensor* b, trk_tensor** out) {
    TRK_RETURN(out, at::where(unwrap(condition), unwrap(a), unwrap(b)))
}
int trk_masked_fill(trk_tensor* t, trk_tensor* mask, double value, trk_tensor** out) {
    TRK_RETURN(out, at::masked_fill(unwrap(t), unwrap(mask), value))
}

// ---- tensor with scalar ----
int trk_add_scalar(trk_tensor* a, double b, trk_tensor** out) { TRK_RETURN(out, at::add(unwrap(a), b)) }
int trk_mul_scalar(trk_tensor* a, double b, trk_tensor** out) { TRK_RETURN(out, at::mul(unwrap(a), b)) }
int trk_div_scalar(trk_tensor* a, double b, trk_tensor** out) { TRK_RETURN(out, at::div(unwrap(a), b)) }
int trk_pow_scalar(trk_tensor* a, double exponent, trk_tensor** out) { TRK_RETURN(out, at::pow(unwrap(a), exponent)) }
int trk_rsub_scalar(trk_tensor* a, double b, trk_tensor** out) { TRK_RETURN(out, at::rsub(unwrap(a), b)) }
int trk_clamp(trk_tensor* a, double min, double max, trk_tensor** out) { TRK_RETURN(out, at::clamp(unwrap(a), min, max)) }

// ---- unary ----
int trk_neg(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, at::neg(unwrap(t))) }
int trk_exp(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, at::exp(unwrap(t))) }
int trk_log(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, at::log(unwrap(t))) }
int trk_sqrt(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, at::sqrt(unwrap(t))) }
int trk_abs(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, at::abs(unwrap(t))) }
int trk_sign(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, at::sign(unwrap(t))) }
int trk_square(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, at::square(unwrap(t))) }
int trk_tanh(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, at::tanh(unwrap(t))) }
int trk_sigmoid(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, at::sigmoid(unwrap(t))) }
int trk_relu(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, at::relu(unwrap(t))) }
int trk_gelu(trk_tensor* t, int tanh_approximation, trk_tensor** out) {
    TRK_RETURN(out, at::gelu(unwrap(t), tanh_approximation != 0 ? "tanh" : "none"))
}
int trk_isfinite(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, at::isfinite(unwrap(t))) }

// ---- in place ----
int trk_add_(trk_tensor* a, trk_tensor* b, double alpha) { TRK_TRY(unwrap(a).add_(unwrap(b), alpha_scalar(alpha))) }
int trk_mul_scalar_(trk_tensor* a, double b) { TRK_TRY(unwrap(a).mul_(b)) }
int trk_copy_(trk_tensor* destination, trk_tensor* source) { TRK_TRY(unwrap(destination).copy_(unwrap(source))) }
int trk_fill_(trk_tensor* t, double value) { TRK_TRY(unwrap(t).fill_(value)) }
int trk_uniform_(trk_tensor* t, double low, double high) { TRK_TRY(unwrap(t).uniform_(low, high)) }
int trk_normal_(trk_tensor* t, double mean, double std) { TRK_TRY(unwrap(t).normal_(mean, std)) }

// ---- reductions ----
int trk_sum(trk_tensor* t, const int64_t* dims, int ndims, int keepdim, trk_tensor** out) {
    TRK_RETURN(out, ndims == 0 ? at::sum(unwrap(t)) : at::sum(unwrap(t), trk::ints(dims, ndims), keepdim != 0))
}
int trk_mean(trk_tensor* t, const int64_t* dims, int ndims, int keepdim, trk_tensor** out) {
    TRK_RETURN(out, ndims == 0 ? at::mean(unwrap(t)) : at::mean(unwrap(t), trk::ints(dims, ndims), keepdim != 0))
}
int trk_amax(trk_tensor* t, const int64_t* dims, int ndims, int keepdim, trk_tensor** out) {
    TRK_RETURN(out, at::amax(unwrap(t), trk::ints(dims, ndims), keepdim != 0))
}
int trk_amin(trk_tensor* t, const int64_t* dims, int ndims, int keepdim, trk_tensor** out) {
    TRK_RETURN(out, at::amin(unwrap(t), trk::ints(dims, ndims), keepdim != 0))
}
int trk_var(trk_tensor* t, const int64_t* dims, int ndims, int unbiased, int keepdim, trk_tensor** out) {
    TRK_RETURN(out, ndims == 0 ? at::var(unwrap(t), unbiased != 0)
                               : at::var(unwrap(t), trk::ints(dims, ndims), unbiased != 0, keepdim != 0))
}
int trk_norm(trk_tensor* t, double p, trk_tensor** out) { TRK_RETURN(out, at::norm(unwrap(t), p)) }
int trk_argmax(trk_tensor* t, int64_t dim, int keepdim, trk_tensor** out) { TRK_RETURN(out, at::argmax(unwrap(t), dim, keepdim != 0)) }
int trk_logsumexp(trk_tensor* t, int64_t dim, int keepdim, trk_tensor** out) {
    TRK_RETURN(out, at::logsumexp(unwrap(t), {dim}, keepdim != 0))
}
int trk_topk(trk_tensor* t, int64_t k, int64_t dim, int largest, trk_tensor** values, trk_tensor** indices) {
    TRK_TRY(
        trk::require_out(values); trk::require_out(indices);
        auto result = at::topk(unwrap(t), k, dim, largest != 0, true);
        *values = trk::wrap(std::get<0>(result));
        *indices = trk::wrap(std::get<1>(result)))
}

// ---- shape and indexing ----
int trk_reshape(trk_tensor* t, const int64_t* shape, int ndim, trk_tensor** out) { TRK_RETURN(out, unwrap(t).reshape(trk::ints(shape, ndim))) }
int trk_view(trk_tensor* t, const int64_t* shape, int ndim, trk_tensor** out) { TRK_RETURN(out, unwrap(t).view(trk::ints(shape, ndim))) }
int trk_expand(trk_tensor* t, const int64_t* shape, int ndim, trk_tensor** out) { TRK_RETURN(out, unwrap(t).expand(trk::ints(shape, ndim))) }
int trk_permute(trk_tensor* t, const int64_t* dims, int ndims, trk_tensor** out) { TRK_RETURN(out, unwrap(t).permute(trk::ints(dims, ndims))) }
int trk_transpose(trk_tensor* t, int64_t dim0, int64_t dim1, trk_tensor** out) { TRK_RETURN(out, unwrap(t).transpose(dim0, dim1)) }
int trk_flatten(trk_tensor* t, int64_t start_dim, int64_t end_dim, trk_tensor** out) { TRK_RETURN(out, unwrap(t).flatten(start_dim, end_dim)) }
int trk_unsqueeze(trk_tensor* t, int64_t dim, trk_tensor** out) { TRK_RETURN(out, unwrap(t).unsqueeze(dim)) }
int trk_squeeze(trk_tensor* t, int64_t dim, trk_tensor** out) { TRK_RETURN(out, unwrap(t).squeeze(dim)) }
int trk_cat(trk_tensor** tensors, int count, int64_t dim, trk_tensor** out) { TRK_RETURN(out, at::cat(trk::many(tensors, count), dim)) }
int trk_stack(trk_tensor** tensors, int count, int64_t dim, trk_tensor** out) { TRK_RETURN(out, at::stack(trk::many(tensors, count), dim)) }
int trk_slice(trk_tensor* t, int64_t dim, int64_t start, int64_t end, int64_t step, trk_tensor** out) {
    TRK_RETURN(out, unwrap(t).slice(dim, start, end, step))
}
int trk_select(trk_tensor* t, int64_t dim, int64_t index, trk_tensor** out) { TRK_RETURN(out, unwrap(t).select(dim, index)) }
int trk_index_select(trk_tensor* t, int64_t dim, trk_tensor* index, trk_tensor** out) {
    TRK_RETURN(out, at::index_select(unwrap(t), dim, unwrap(index)))
}
int trk_gather(trk_tensor* t, int64_t dim, trk_tensor* index, trk_tensor** out) { TRK_RETURN(out, at::gather(unwrap(t), dim, unwrap(index))) }
int trk_flip(trk_tensor* t, const int64_t* dims, int ndims, trk_tensor** out) { TRK_RETURN(out, at::flip(unwrap(t), trk::ints(dims, ndims))) }
int trk_pad(trk_tensor* t, const int64_t* pad, int npad, double value, trk_tensor** out) {
    TRK_RETURN(out, at::constant_pad_nd(unwrap(t), trk::ints(pad, npad), value))
}

}  // extern "C"
