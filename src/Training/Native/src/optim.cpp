// Optimizer updates done in one native call per step: the arithmetic is PyTorch's single-tensor
// AdamW and SGD, and the state tensors belong to the C# optimizer so save/load stays uniform.
#include <cmath>

#include "shim.h"

using trk::unwrap;

extern "C" {

namespace {

// The parameters that have a gradient, with their gradients and AdamW state, as the multi-tensor kernels take them.
struct AdamwLists {
    std::vector<at::Tensor> params, grads, m, v;
};

AdamwLists with_grads(trk_tensor** params, trk_tensor** exp_avg, trk_tensor** exp_avg_sq, int count) {
    AdamwLists lists;
    for (int i = 0; i < count; ++i) {
        auto& param = unwrap(params[i]);
        if (!param.grad().defined()) continue;
        lists.params.push_back(param);
        lists.grads.push_back(param.grad());
        lists.m.push_back(unwrap(exp_avg[i]));
        lists.v.push_back(unwrap(exp_avg_sq[i]));
    }
    return lists;
}

// Same arithmetic as the per-tensor loop below, a handful of multi-tensor kernels instead of six
// kernels per parameter: on a GPU a small model's step is bound by kernel launches.
void adamw_foreach(AdamwLists& l, double lr, double beta1, double beta2, double eps, double weight_decay,
                   double bias_correction1, double bias_correction2_sqrt) {
    at::_foreach_mul_(l.params, 1.0 - lr * weight_decay);
    at::_foreach_mul_(l.m, beta1);
    at::_foreach_add_(l.m, l.grads, 1.0 - beta1);
    at::_foreach_mul_(l.v, beta2);
    at::_foreach_addcmul_(l.v, l.grads, l.grads, 1.0 - beta2);
    auto denom = at::_foreach_sqrt(l.v);
    at::_foreach_div_(denom, bias_correction2_sqrt);
    at::_foreach_add_(denom, eps);
    at::_foreach_addcdiv_(l.params, l.m, denom, -lr / bias_correction1);
}

}  // namespace

int trk_adamw_step(trk_tensor** params, trk_tensor** exp_avg, trk_tensor** exp_avg_sq, int count, double lr,
                   double beta1, double beta2, double eps, double weight_decay, int64_t step) {
    TRK_TRY(
        if (step < 1) throw std::invalid_argument("AdamW step must start at 1");
        at::NoGradGuard no_grad;
        const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(step));
        const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(beta2, static_cast<double>(step)));
        if (count > 0 && !unwrap(params[0]).is_cpu()) {
            auto l = with_grads(params, exp_avg, exp_avg_sq, count);
            if (l.params.empty()) return 0;
#ifdef TRK_WITH_CUDA
            // One fused kernel for every parameter; it reads the step count from a device tensor.
            auto steps = at::scalar_tensor(static_cast<double>(step), l.params[0].options().dtype(at::kFloat));
            std::vector<at::Tensor> state_steps(l.params.size(), steps);
            at::_fused_adamw_(l.params, l.grads, l.m, l.v, {}, state_steps, lr, beta1, beta2, weight_decay, eps, false, false);
#else
            adamw_foreach(l, lr, beta1, beta2, eps, weight_decay, bias_correction1, bias_correction2_sqrt);
#endif
            return 0;
        }
        // The CPU keeps PyTorch's single-tensor arithmetic exactly (its tests compare against it).
        for (int i = 0; i < count; ++i) {
            auto& param = unwrap(params[i]);
            const auto& grad = param.grad();
            if (!grad.defined()) continue;
            auto& m = unwrap(exp_avg[i]);
            auto& v = unwrap(exp_avg_sq[i]);
            param.mul_(1.0 - lr * weight_decay);
            m.lerp_(grad, 1.0 - beta1);
            v.mul_(beta2).addcmul_(grad, grad, 1.0 - beta2);
            auto denom = (v.sqrt() / bias_correction2_sqrt).add_(eps);
            param.addcdiv_(m, denom, -lr / bias_correction1);
        })
}

int trk_adamw_step_device(trk_tensor** params, trk_tensor** exp_avg, trk_tensor** exp_avg_sq, int count, trk_tensor* lr,
                          trk_tensor* step, double beta1, double beta2, double eps, double weight_decay) {
    TRK_TRY(
#ifdef TRK_WITH_CUDA
        at::NoGradGuard no_grad;
        auto l = with_grads(params, exp_avg, exp_avg_sq, count);
        auto& steps = unwrap(step);
        steps.add_(1);
        if (l.params.empty()) return 0;
        std::vector<at::Tensor> state_steps(l.params.size(), steps);
        at::_fused_adamw_(l.params, l.grads, l.m, l.v, {}, state_steps, unwrap(lr), beta1, beta2, weight_decay, eps, false, false);
#else
        throw std::runtime_error("AdamW with its learning rate and step on the device needs a shim built against a CUDA libtorch");
#endif
    )
}

int trk_zero_grads(trk_tensor** params, int count) {
    TRK_TRY(
        at::NoGradGuard no_grad;
        std::vector<at::Tensor> grads;
        for (int i = 0; i < count; ++i)
            if (unwrap(params[i]).grad().defined()) grads.push_back(unwrap(params[i]).grad());
        if (!grads.empty()) at::_foreach_zero_(grads);
    )
}

int trk_set_grad(trk_tensor* param, trk_tensor* grad) {
    TRK_TRY(unwrap(param).mutable_grad() = grad == nullptr ? at::Tensor() : unwrap(grad))
}

int trk_sgd_step(trk_tensor** params, trk_tensor** momentum_buffers, int count, double lr, double momentum,
                 double dampening, double weight_decay, int nesterov, int64_t step) {
    TRK_TRY(
        at::NoGradGuard no_grad;
        for (int i = 0; i < count; ++i) {
            auto& param = unwrap(params[i]);
            const auto& grad = param.grad();
            if (!grad.defined()) continue;
            at::Tensor d_p = weight_decay != 0.0 ? grad.add(param, weight_decay) : grad;
            if (momentum != 0.0) {
                auto& buffer = unwrap(momentum_buffers[i]);
                // PyTorch starts the buffer at the first gradient, not at zero.
                if (step == 1) buffer.copy_(d_p);
                else buffer.mul_(momentum).add_(d_p, 1.0 - dampening);
                d_p = nesterov != 0 ? d_p.add(buffer, momentum) : buffer;
            }
            param.add_(d_p, -lr);
        })
}

int trk_clip_grad_norm(trk_tensor** params, int count, double max_norm, double* total_norm) {
    TRK_TRY(
        trk::require_out(total_norm);
        at::NoGradGuard no_grad;
        std::vector<at::Tensor> norms;
        for (int i = 0; i < count; ++i) {
            const auto& grad = unwrap(params[i]).grad();
            if (grad.defined()) norms.push_back(grad.norm(2));
        }
        if (norms.empty()) { *total_norm = 0.0; return 0; }
        const double total = at::stack(norms).norm(2).item<double>();
        *total_norm = total;
        const double coefficient = max_norm / (total + 1e-6);
        if (coefficient < 1.0)
            for (int i = 0; i < count; ++i) {
                auto grad = unwrap(params[i]).grad();
                if (grad.defined()) grad.mul_(coefficient);
            })
}

}  // extern "C"
