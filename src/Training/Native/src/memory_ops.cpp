// Operations that keep less for backward than their ATen compositions: on the CPU a training
// step's peak memory is mostly what autograd saves.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>

#include "shim.h"

using trk::unwrap;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

// CPU dropout draws its keep/drop decisions from a counter-based generator: element i's decision
// is a pure function of (seed, i), so backward regenerates the mask instead of saving it, and
// drawing it costs a hash per two elements. ATen's CPU dropout (1.13: bernoulli_ on a float noise
// tensor, one Mersenne Twister call per element, then a multiply) spent a third of a ViT-nano
// training step there, and autograd kept its four-byte noise per element. The seed comes from
// libtorch's default CPU generator, so torch.manual_seed still makes runs reproducible.
struct DropoutMask {
    uint64_t seed;
    uint32_t threshold;  // an element is dropped when its 32 random bits are below this: p · 2³², rounded
    double scale;        // 1 / (1 - p) for the kept elements, as ATen's dropout

    static constexpr int64_t Block = 64;  // elements per 32 draws of 64 bits

    static DropoutMask draw(double p) {
        auto generator = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(generator.mutex());
        return {at::check_generator<at::CPUGeneratorImpl>(generator)->random64(),
                static_cast<uint32_t>(std::min(4294967295.0, std::round(std::ldexp(p, 32)))), 1.0 / (1.0 - p)};
    }

    // SplitMix64 over a counter: 64 well-mixed bits for the elements 2k and 2k + 1.
    static uint64_t bits(uint64_t seed, int64_t pair) {
        uint64_t z = seed + static_cast<uint64_t>(pair) * 0x9E3779B97F4A7C15ULL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    // out[i] = in[i] · scale where element i is kept, else in[i] · 0 (as ATen's dropout multiplies).
    // A block's draws are unpacked into 32-bit lanes, then factors, then one multiply: loops the
    // compiler vectorizes (a compare-and-branch per element cost three times as much).
    template <typename scalar_t>
    void apply_blocks(const scalar_t* in, scalar_t* out, int64_t numel, int64_t first_block, int64_t end_block) const {
        using math_t = std::conditional_t<std::is_same_v<scalar_t, double>, double, float>;
        uint32_t lanes[Block];
        math_t factors[Block];
        const auto kept = static_cast<math_t>(scale);
        for (int64_t block = first_block; block < end_block; ++block) {
            const int64_t start = block * Block, count = std::min(Block, numel - start);
            for (int64_t pair = 0; pair < Block / 2; ++pair) {
                const uint64_t random = bits(seed, block * (Block / 2) + pair);
                lanes[2 * pair] = static_cast<uint32_t>(random);
                lanes[2 * pair + 1] = static_cast<uint32_t>(random >> 32);
            }
            for (int64_t j = 0; j < Block; ++j) factors[j] = lanes[j] >= threshold ? kept : math_t(0);
            for (int64_t j = 0; j < count; ++j)
                out[start + j] = static_cast<scalar_t>(static_cast<math_t>(in[start + j]) * factors[j]);
        }
    }

    // in and out may be the same tensor.
    void apply(const at::Tensor& in, at::Tensor& out) const {
        TORCH_CHECK(in.is_contiguous() && out.is_contiguous() && in.numel() == out.numel(), "dropout needs contiguous tensors of one size");
        const int64_t numel = in.numel();
        AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, in.scalar_type(), "trk_dropout", [&] {
            const scalar_t* source = in.data_ptr<scalar_t>();
            scalar_t* target = out.data_ptr<scalar_t>();
            at::parallel_for(0, (numel + Block - 1) / Block, 256, [&](int64_t begin, int64_t end) {
                apply_blocks(source, target, numel, begin, end);
            });
        });
    }

    at::Tensor applied(const at::Tensor& input) const {
        auto in = input.contiguous();
        auto out = at::empty_like(in, c10::MemoryFormat::Contiguous);
        apply(in, out);
        return out;
    }

    // Kept for backward under a name of its own: an op may hold several masks beside its other saved data.
    void save(AutogradContext* ctx, const std::string& name) const {
        ctx->saved_data[name + ".seed"] = static_cast<int64_t>(seed);
        ctx->saved_data[name + ".threshold"] = static_cast<int64_t>(threshold);
        ctx->saved_data[name + ".scale"] = scale;
    }

    // The mask saved under the name; none when forward drew none (p = 0).
    static std::optional<DropoutMask> saved(AutogradContext* ctx, const std::string& name) {
        const auto& data = ctx->saved_data;
        const auto seed = data.find(name + ".seed");
        if (seed == data.end()) return std::nullopt;
        return DropoutMask{static_cast<uint64_t>(seed->second.toInt()),
                           static_cast<uint32_t>(data.at(name + ".threshold").toInt()), data.at(name + ".scale").toDouble()};
    }
};

// Dropout whose backward regenerates its mask from the seed: autograd keeps nothing per element.
struct RegeneratedDropout : public torch::autograd::Function<RegeneratedDropout> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, double p) {
        const auto mask = DropoutMask::draw(p);
        mask.save(ctx, "mask");
        return mask.applied(input);
    }

    static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
        return {DropoutMask::saved(ctx, "mask")->applied(grad_outputs[0]), at::Tensor()};
    }
};

// timm's Mlp in training, dropout(fc2(dropout(gelu(fc1(x))))), keeping x, fc1's output and the
// dropouts' seeds for backward: the activated, dropped hidden tensor that fc2's backward needs (as
// wide as fc1's output) is recomputed there by one GELU and the regenerated mask, instead of kept.
// fc1 is not recomputed: a matmul in backward cost a fifth of a step (decision 0055).
struct RecomputedMlp : public torch::autograd::Function<RecomputedMlp> {
    static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w1, const at::Tensor& b1,
                              const at::Tensor& w2, const at::Tensor& b2, double p1, double p2) {
        auto pre = at::linear(x, w1, b1);
        auto hidden = at::gelu(pre);
        // Seeds drawn in the module path's order (drop1, then drop2), so the masks are the same.
        if (p1 > 0) {
            const auto mask = DropoutMask::draw(p1);
            mask.apply(hidden, hidden);
            mask.save(ctx, "drop1");
        }
        auto output = at::linear(hidden, w2, b2);
        if (p2 > 0) {
            const auto mask = DropoutMask::draw(p2);
            mask.apply(output, output);
            mask.save(ctx, "drop2");
        }
        ctx->save_for_backward(variable_list{x, pre, w1, w2});
        return output;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
        const auto saved = ctx->get_saved_variables();
        const auto &x = saved[0], &pre = saved[1], &w1 = saved[2], &w2 = saved[3];
        const auto mask1 = DropoutMask::saved(ctx, "drop1"), mask2 = DropoutMask::saved(ctx, "drop2");
        const auto width = w1.size(1), hidden_width = w1.size(0), out_width = w2.size(0);

        auto grad = grad_outputs[0].reshape({-1, out_width});
        if (mask2) grad = mask2->applied(grad);  // applied() makes its own contiguous copy; mm takes any layout
        auto pre2d = pre.reshape({-1, hidden_width});
        auto hidden = at::gelu(pre2d);
        if (mask1) mask1->apply(hidden, hidden);
        auto grad_w2 = grad.t().mm(hidden);
        hidden = at::Tensor();
        auto grad_b2 = grad.sum(0);
        auto grad_hidden = grad.mm(w2);
        grad = at::Tensor();
        if (mask1) mask1->apply(grad_hidden, grad_hidden);
        auto grad_pre = at::gelu_backward(grad_hidden, pre2d);
        grad_hidden = at::Tensor();
        auto x2d = x.reshape({-1, width});
        auto grad_w1 = grad_pre.t().mm(x2d);
        auto grad_b1 = grad_pre.sum(0);
        auto grad_x = grad_pre.mm(w1).view(x.sizes());
        return {grad_x, grad_w1, grad_b1, grad_w2, grad_b2, at::Tensor(), at::Tensor()};
    }
};

// timm's attention core in training, from the qkv projection's output [B, N, 3C] to the heads'
// weighted values [B, N, C]: softmax(q kᵀ · scale), dropout, times v. Autograd keeps only qkv and
// the dropout's seed; the attention map (and its dropped copy, and the contiguous q, k, v copies
// matmul would keep) is recomputed in backward, its mask regenerated.
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
        if (p > 0) {
            const auto mask = DropoutMask::draw(p);
            mask.apply(parts.probabilities, parts.probabilities);  // softmax's fresh output, no longer needed undropped
            mask.save(ctx, "attn_drop");
        }
        const auto batch = qkv.size(0), tokens = qkv.size(1), channels = qkv.size(2) / 3;
        ctx->save_for_backward(variable_list{qkv});
        ctx->saved_data["heads"] = heads;
        ctx->saved_data["scale"] = scale;
        return parts.probabilities.matmul(parts.v).transpose(1, 2).reshape({batch, tokens, channels});
    }

    static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
        const auto saved = ctx->get_saved_variables();
        const auto& qkv = saved[0];
        const auto heads = ctx->saved_data["heads"].toInt();
        const double scale = ctx->saved_data["scale"].toDouble();
        const auto batch = qkv.size(0), tokens = qkv.size(1), channels = qkv.size(2) / 3;

        auto parts = attend(qkv, heads, scale);
        const auto mask = DropoutMask::saved(ctx, "attn_drop");
        auto dropped = mask ? mask->applied(parts.probabilities) : parts.probabilities;

        auto grad = grad_outputs[0].reshape({batch, tokens, heads, channels / heads}).transpose(1, 2);  // [B, H, N, d]
        auto grad_v = dropped.transpose(-2, -1).matmul(grad);
        dropped = at::Tensor();
        auto grad_probabilities = grad.matmul(parts.v.transpose(-2, -1)).contiguous();
        if (mask) mask->apply(grad_probabilities, grad_probabilities);
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

at::Tensor recomputed_mlp(const at::Tensor& x, const at::Tensor& w1, const at::Tensor& b1, const at::Tensor& w2,
                          const at::Tensor& b2, double p1, double p2) {
    return RecomputedMlp::apply(x, w1, b1, w2, b2, p1, p2);
}

at::Tensor dropout(const at::Tensor& input, double p, bool training) {
    const bool regenerated = training && p > 0 && p < 1 && input.numel() > 0 && input.is_cpu();
    return regenerated ? RegeneratedDropout::apply(input, p) : at::dropout(input, p, training);
}
}  // namespace trk
