// Lifetime, creation, random state, conversion and autograd.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <malloc.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>

#include "shim.h"

namespace {
thread_local std::string last_error;
std::atomic<int64_t> live_tensors{0};

// A training step frees and reallocates the same large activation buffers every time. glibc's
// defaults hand such blocks back to the OS (mmap/trim) and fault them in again, zeroed, on the
// next step: a third of a ViT step went to page faults. Keeping freed blocks in the heap makes
// reuse free; the cost is that memory is returned to the OS only when the process exits.
// Runs once, when the library is loaded.
struct AllocatorTuning {
    AllocatorTuning() {
        mallopt(M_MMAP_THRESHOLD, 1 << 30);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
    }
} allocator_tuning;
}  // namespace

namespace trk {
void set_error(const char* message) { last_error = message == nullptr ? "" : message; }

trk_tensor* wrap(at::Tensor tensor) {
    auto* handle = new at::Tensor(std::move(tensor));
    live_tensors.fetch_add(1, std::memory_order_relaxed);
    return reinterpret_cast<trk_tensor*>(handle);
}
}  // namespace trk

using trk::unwrap;

extern "C" {

const char* trk_last_error(void) { return last_error.c_str(); }

void trk_free(trk_tensor* t) {
    if (t == nullptr) return;
    delete reinterpret_cast<at::Tensor*>(t);
    live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

int64_t trk_live_tensors(void) { return live_tensors.load(std::memory_order_relaxed); }

int trk_cuda_device_count(int64_t* out) {
    TRK_TRY(trk::require_out(out); *out = at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0)
}

int trk_set_num_threads(int n) { TRK_TRY(at::set_num_threads(n)) }
int trk_get_num_threads(int* out) { TRK_TRY(trk::require_out(out); *out = at::get_num_threads()) }

// ---- creation ----

int trk_from_data(const void* data, int dtype, const int64_t* shape, int ndim, trk_tensor** out) {
    TRK_TRY(
        trk::require_out(out);
        auto tensor = at::empty(trk::ints(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
        if (tensor.numel() > 0) {
            if (data == nullptr) throw std::invalid_argument("data pointer is null");
            std::memcpy(tensor.data_ptr(), data, tensor.nbytes());
        }
        *out = trk::wrap(std::move(tensor)))
}

int trk_full(const int64_t* shape, int ndim, double value, int dtype, int device_type, int device_index, trk_tensor** out) {
    TRK_RETURN(out, at::full(trk::ints(shape, ndim), value, trk::options(dtype, device_type, device_index)))
}

int trk_empty(const int64_t* shape, int ndim, int dtype, int device_type, int device_index, trk_tensor** out) {
    TRK_RETURN(out, at::empty(trk::ints(shape, ndim), trk::options(dtype, device_type, device_index)))
}

int trk_arange(double start, double end, double step, int dtype, int device_type, int device_index, trk_tensor** out) {
    TRK_RETURN(out, at::arange(start, end, step, trk::options(dtype, device_type, device_index)))
}

int trk_randn(const int64_t* shape, int ndim, int dtype, int device_type, int device_index, trk_tensor** out) {
    TRK_RETURN(out, at::randn(trk::ints(shape, ndim), trk::options(dtype, device_type, device_index)))
}

int trk_rand(const int64_t* shape, int ndim, int dtype, int device_type, int device_index, trk_tensor** out) {
    TRK_RETURN(out, at::rand(trk::ints(shape, ndim), trk::options(dtype, device_type, device_index)))
}

int trk_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int device_type, int device_index, trk_tensor** out) {
    TRK_RETURN(out, at::randint(low, high, trk::ints(shape, ndim), trk::options(static_cast<int>(at::kLong), device_type, device_index)))
}

int trk_randperm(int64_t n, int device_type, int device_index, trk_tensor** out) {
    TRK_RETURN(out, at::randperm(n, trk::options(static_cast<int>(at::kLong), device_type, device_index)))
}

int trk_bernoulli(trk_tensor* probabilities, trk_tensor** out) { TRK_RETURN(out, at::bernoulli(unwrap(probabilities))) }

int trk_bernoulli_p(trk_tensor* like, double p, trk_tensor** out) {
    TRK_RETURN(out, at::empty_like(unwrap(like)).bernoulli_(p))
}

// ---- random state: the CPU generator is the one that decides shuffles, masks and inits ----

int trk_manual_seed(uint64_t seed) { TRK_TRY(at::manual_seed(seed)) }

int trk_rng_state_get(trk_tensor** out) {
    TRK_TRY(
        trk::require_out(out);
        auto generator = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(generator.mutex());
        *out = trk::wrap(generator.get_state()))
}

int trk_rng_state_set(trk_tensor* state) {
    TRK_TRY(
        auto generator = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(generator.mutex());
        generator.set_state(unwrap(state)))
}

// ---- information and conversion ----

int trk_ndim(trk_tensor* t, int64_t* out) { TRK_TRY(trk::require_out(out); *out = unwrap(t).dim()) }

int trk_shape(trk_tensor* t, int64_t* out, int capacity) {
    TRK_TRY(
        auto& tensor = unwrap(t);
        if (capacity < tensor.dim()) throw std::invalid_argument("shape buffer too small");
        for (int64_t i = 0; i < tensor.dim(); ++i) out[i] = tensor.size(i))
}

int trk_dtype(trk_tensor* t, int* out) { TRK_TRY(trk::require_out(out); *out = static_cast<int>(unwrap(t).scalar_type())) }

int trk_device(trk_tensor* t, int* type, int* index) {
    TRK_TRY(
        auto device = unwrap(t).device();
        *type = static_cast<int>(device.type());
        *index = device.has_index() ? device.index() : -1)
}

int trk_numel(trk_tensor* t, int64_t* out) { TRK_TRY(trk::require_out(out); *out = unwrap(t).numel()) }

int trk_copy_to_buffer(trk_tensor* t, void* buffer, int64_t nbytes) {
    TRK_TRY(
        auto cpu = unwrap(t).detach().to(at::kCPU).contiguous();
        if (static_cast<int64_t>(cpu.nbytes()) != nbytes)
            throw std::invalid_argument("buffer holds " + std::to_string(nbytes) + " bytes but the tensor has " +
                                        std::to_string(cpu.nbytes()));
        if (nbytes > 0) std::memcpy(buffer, cpu.data_ptr(), cpu.nbytes()))
}

int trk_item(trk_tensor* t, double* out) { TRK_TRY(trk::require_out(out); *out = unwrap(t).item<double>()) }

int trk_to(trk_tensor* t, int dtype, int device_type, int device_index, trk_tensor** out) {
    TRK_TRY(
        trk::require_out(out);
        auto& source = unwrap(t);
        auto target = trk::options(dtype, device_type, device_index);
        // Host to GPU through pinned memory, without blocking: the next batch is copied while the
        // GPU still works on this one. libtorch keeps the pinned block until the copy is done.
        const bool host_to_gpu = source.is_cpu() && target.device().is_cuda();
        *out = trk::wrap(host_to_gpu ? source.pin_memory().to(target, /*non_blocking=*/true) : source.to(target)))
}

int trk_clone(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, unwrap(t).clone()) }
int trk_contiguous(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, unwrap(t).contiguous()) }
int trk_detach(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, unwrap(t).detach()) }
int trk_alias(trk_tensor* t, trk_tensor** out) { TRK_RETURN(out, unwrap(t)) }

// ---- autograd ----

int trk_requires_grad(trk_tensor* t, int* out) { TRK_TRY(trk::require_out(out); *out = unwrap(t).requires_grad() ? 1 : 0) }
int trk_set_requires_grad(trk_tensor* t, int requires_grad) { TRK_TRY(unwrap(t).requires_grad_(requires_grad != 0)) }

int trk_grad(trk_tensor* t, trk_tensor** out) {
    TRK_TRY(
        trk::require_out(out);
        const auto& grad = unwrap(t).grad();
        *out = grad.defined() ? trk::wrap(grad) : nullptr)
}

int trk_clear_grad(trk_tensor* t) { TRK_TRY(unwrap(t).mutable_grad().reset()) }

int trk_backward(trk_tensor* t, trk_tensor* gradient, int retain_graph) {
    TRK_TRY(
        auto& tensor = unwrap(t);
        at::Tensor grad = gradient == nullptr ? at::Tensor() : unwrap(gradient);
        tensor.backward(grad, retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt, false))
}

int trk_grad_enabled(int* out) { TRK_TRY(trk::require_out(out); *out = c10::GradMode::is_enabled() ? 1 : 0) }
int trk_set_grad_enabled(int enabled) { TRK_TRY(c10::GradMode::set_enabled(enabled != 0)) }

}  // extern "C"
