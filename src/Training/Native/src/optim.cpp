// Optimizer updates done in one native call per step: the arithmetic is PyTorch's single-tensor
// AdamW and SGD, and the state tensors belong to the C# optimizer so save/load stays uniform.
#include <cmath>

#include "shim.h"

using trk::unwrap;

extern "C" {

int trk_adamw_step(trk_tensor** params, trk_tensor** exp_avg, trk_tensor** exp_avg_sq, int count, double lr,
                   double beta1, double beta2, double eps, double weight_decay, int64_t step) {
    TRK_TRY(
        if (step < 1) throw std::invalid_argument("AdamW step must start at 1");
        at::NoGradGuard no_grad;
        const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(step));
        const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(beta2, static_cast<double>(step)));
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
