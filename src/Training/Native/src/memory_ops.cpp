// Operations that give the same results as their ATen counterparts but keep less for backward:
// on the CPU a training step's peak memory is mostly what autograd saves.
#include <torch/csrc/autograd/custom_function.h>

#include "shim.h"

using trk::unwrap;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

// Draws dropout noise exactly as ATen's CPU dropout does; returns it with its bool mask.
std::pair<at::Tensor, at::Tensor> dropout_noise(const at::Tensor& like, double p) {
    auto noise = at::empty_like(like, c10::MemoryFormat::Contiguous);
    noise.bernoulli_(1 - p);
    noise.div_(1 - p);
    auto mask = noise.ne(0);
    return {std::move(noise), std::move(mask)};
}

at::Tensor noise_from(const at::Tensor& mask, double p, at::ScalarType type) { return mask.to(type).div_(1 - p); }

// ATen's CPU dropout (1.13: _dropout_impl; native_dropout is CUDA-only there) multiplies by a
// float noise tensor {0, 1/(1-p)} and autograd saves that noise: four bytes per element. This
// draws the same noise from the same generator, multiplies the same way, and keeps only a bool
// mask; backward rebuilds the identical noise (1 or 0, divided by the same 1-p) from it.
struct MaskedDropout : public torch::autograd::Function<MaskedDropout> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, double p) {
        auto [noise, mask] = dropout_noise(input, p);
        auto output = input.mul(noise);
        ctx->save_for_backward(variable_list{mask});
        ctx->saved_data["p"] = p;
        return output;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
        const auto mask = ctx->get_saved_variables()[0];
        const double p = ctx->saved_data["p"].toDouble();
        const auto& grad = grad_outputs[0];
        return {grad.mul(noise_from(mask, p, grad.scalar_type())), at::Tensor()};
    }
};

// timm's attention core in training, from the qkv projection's output [B, N, 3C] to the heads'
// weighted values [B, N, C]: softmax(q kᵀ · scale), dropout, times v. Autograd keeps only qkv and
// the bool mask; the attention map (and its dropped copy, and the contiguous q, k, v copies
// matmul would keep) is recomputed in backward. Forward runs the module's ATen calls in order.
struct RecomputedAttention : public torch::autograd::Function<RecomputedAttention> {
    struct Parts {
        at::Tensor q, k, v, probabilities;
    };

    static Parts attend(const at::Tensor& qkv, int64_t heads, double scale) {
        const auto batch = qkv.size(0), tokens = qkv.size(1), channels = qkv.size(2) / 3;
        auto split = qkv.reshape({batch, tokens, 3, heads, channels / heads}).permute({2, 0, 3, 1, 4});
        auto q = split.select(0, 0), k = split.select(0, 1), v = split.select(0, 2);
        auto probabilities = at::softmax(q.matmul(k.transpose(-2, -1)).mul(scale), -1);
        return {q, k, v, probabilities};
    }

    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& qkv, int64_t heads, double scale, double p) {
        auto parts = attend(qkv, heads, scale);
        at::Tensor mask;
        if (p > 0) {
            auto [noise, drawn] = dropout_noise(parts.probabilities, p);
            parts.probabilities = parts.probabilities.mul(noise);
            mask = std::move(drawn);
        }
        const auto batch = qkv.size(0), tokens = qkv.size(1), channels = qkv.size(2) / 3;
        ctx->save_for_backward(variable_list{qkv, mask});
        ctx->saved_data["heads"] = heads;
        ctx->saved_data["scale"] = scale;
        ctx->saved_data["p"] = p;
        return parts.probabilities.matmul(parts.v).transpose(1, 2).reshape({batch, tokens, channels});
    }

    static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
        const auto saved = ctx->get_saved_variables();
        const auto &qkv = saved[0], &mask = saved[1];
        const auto heads = ctx->saved_data["heads"].toInt();
        const double scale = ctx->saved_data["scale"].toDouble(), p = ctx->saved_data["p"].toDouble();
        const auto batch = qkv.size(0), tokens = qkv.size(1), channels = qkv.size(2) / 3;

        auto parts = attend(qkv, heads, scale);
        at::Tensor noise = mask.defined() ? noise_from(mask, p, parts.probabilities.scalar_type()) : at::Tensor();
        auto dropped = noise.defined() ? parts.probabilities.mul(noise) : parts.probabilities;

        auto grad = grad_outputs[0].reshape({batch, tokens, heads, channels / heads}).transpose(1, 2);  // [B, H, N, d]
        auto grad_v = dropped.transpose(-2, -1).matmul(grad);
        dropped = at::Tensor();
        auto grad_probabilities = grad.matmul(parts.v.transpose(-2, -1));
        if (noise.defined()) grad_probabilities.mul_(noise);
        noise = at::Tensor();
        auto grad_scores = at::_softmax_backward_data(grad_probabilities, parts.probabilities, -1,
                                                      parts.probabilities.scalar_type()).mul_(scale);
        grad_probabilities = at::Tensor();
        auto grad_q = grad_scores.matmul(parts.k);
        auto grad_k = grad_scores.transpose(-2, -1).matmul(parts.q);
        // [3, B, H, N, d] back to the projection's [B, N, 3C] layout.
        return {at::stack({grad_q, grad_k, grad_v}).permute({1, 3, 0, 2, 4}).reshape({batch, tokens, 3 * channels}),
                at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

}  // namespace

namespace trk {
at::Tensor recomputed_attention(const at::Tensor& qkv, int64_t heads, double scale, double p) {
    return RecomputedAttention::apply(qkv, heads, scale, p);
}

at::Tensor dropout(const at::Tensor& input, double p, bool training) {
    const bool keeps_mask = training && p > 0 && p < 1 && input.numel() > 0 && input.is_cpu() &&
                            c10::GradMode::is_enabled() && input.requires_grad();
    return keeps_mask ? MaskedDropout::apply(input, p) : at::dropout(input, p, training);
}
}  // namespace trk
