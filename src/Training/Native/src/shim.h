// Internal helpers shared by the shim's translation units: handle conversion, the live-tensor
// counter and the macro that turns every C++ exception into a status plus message.
#pragma once

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <stdexcept>
#include <vector>

#include "tracker_torch.h"

namespace trk {

void set_error(const char* message);

// A handle is a heap-allocated at::Tensor; the counter lets tests prove nothing leaks.
trk_tensor* wrap(at::Tensor tensor);

inline at::Tensor& unwrap(trk_tensor* handle) {
    if (handle == nullptr) throw std::invalid_argument("tensor handle is null");
    return *reinterpret_cast<at::Tensor*>(handle);
}

inline c10::optional<at::Tensor> optional(trk_tensor* handle) {
    if (handle == nullptr) return c10::nullopt;
    return unwrap(handle);
}

inline at::IntArrayRef ints(const int64_t* values, int count) {
    return at::IntArrayRef(values, static_cast<size_t>(count));
}

inline at::TensorOptions options(int dtype, int device_type, int device_index) {
    return at::TensorOptions()
        .dtype(static_cast<at::ScalarType>(dtype))
        .device(at::Device(static_cast<c10::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)));
}

inline std::vector<at::Tensor> many(trk_tensor** handles, int count) {
    std::vector<at::Tensor> tensors;
    tensors.reserve(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) tensors.push_back(unwrap(handles[i]));
    return tensors;
}

// Dropout whose mask on the CPU is drawn from (seed, index) and regenerated in backward (memory_ops.cpp).
at::Tensor dropout(const at::Tensor& input, double p, bool training);
// timm's attention core in training that keeps only qkv (and its dropout's seed) for backward (memory_ops.cpp).
at::Tensor recomputed_attention(const at::Tensor& qkv, int64_t heads, double scale, double p);
// timm's Mlp in training that keeps only its input, fc1's output and the dropouts' seeds for backward (memory_ops.cpp).
at::Tensor recomputed_mlp(const at::Tensor& x, const at::Tensor& w1, const at::Tensor& b1, const at::Tensor& w2,
                          const at::Tensor& b2, double p1, double p2);
inline void require_out(void* out) {
    if (out == nullptr) throw std::invalid_argument("output pointer is null");
}

}  // namespace trk

// Wraps a function body: success returns 0; any exception is recorded and returns 1.
// c10::Error carries a C++ backtrace in what(); the message alone is what a user needs.
#define TRK_TRY(...)                                              \
    try {                                                         \
        __VA_ARGS__;                                              \
        return 0;                                                 \
    } catch (const c10::Error& e) {                               \
        trk::set_error(e.what_without_backtrace());               \
        return 1;                                                 \
    } catch (const std::exception& e) {                           \
        trk::set_error(e.what());                                 \
        return 1;                                                 \
    } catch (...) {                                               \
        trk::set_error("unknown native error");                   \
        return 1;                                                 \
    }

// Most operations produce one new tensor.
#define TRK_RETURN(out, expression) TRK_TRY(trk::require_out(out); *(out) = trk::wrap(expression))
