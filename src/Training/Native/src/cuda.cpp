// CUDA graphs: a training step captured once and replayed, so a small model's step costs one
// launch instead of hundreds. Built only against a CUDA libtorch (TRK_WITH_CUDA, see
// CMakeLists.txt); elsewhere every function says so and trk_cuda_graphs_available answers 0.
#include "shim.h"

#ifdef TRK_WITH_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAStream.h>

#include <memory>

struct trk_cuda_graph {
    explicit trk_cuda_graph(c10::DeviceIndex device) : side(c10::cuda::getStreamFromPool(false, device)) {}
    at::cuda::CUDAGraph graph;
    c10::cuda::CUDAStream side;
    std::unique_ptr<c10::cuda::CUDAStream> previous;  // the stream to go back to; set while entered
    bool captured = false;
};

namespace {
trk_cuda_graph& unwrap_graph(trk_cuda_graph* graph) {
    if (graph == nullptr) throw std::invalid_argument("CUDA graph handle is null");
    return *graph;
}

// Work on `to` waits for what was queued on `from` so far.
void order_after(const c10::cuda::CUDAStream& from, const c10::cuda::CUDAStream& to) {
    at::cuda::CUDAEvent event;
    event.record(from);
    event.block(to);
}
}  // namespace
#endif

extern "C" {

int trk_cuda_graphs_available(int* out) {
    TRK_TRY(
        trk::require_out(out);
#ifdef TRK_WITH_CUDA
        *out = at::hasCUDA() ? 1 : 0;
#else
        *out = 0;
#endif
    )
}

#ifdef TRK_WITH_CUDA

int trk_cuda_graph_new(int device_index, trk_cuda_graph** out) {
    TRK_TRY(trk::require_out(out); *out = new trk_cuda_graph(static_cast<c10::DeviceIndex>(device_index)))
}

void trk_cuda_graph_free(trk_cuda_graph* graph) { delete graph; }

// Graphs are captured on a side stream (never the default one); warm-up steps run there too,
// so lazily created per-stream state (cuBLAS workspaces) exists before capture.
int trk_cuda_graph_enter(trk_cuda_graph* graph) {
    TRK_TRY(
        auto& g = unwrap_graph(graph);
        if (g.previous) throw std::logic_error("the graph's stream is already entered");
        auto current = c10::cuda::getCurrentCUDAStream(g.side.device_index());
        order_after(current, g.side);
        g.previous = std::make_unique<c10::cuda::CUDAStream>(current);
        c10::cuda::setCurrentCUDAStream(g.side))
}

int trk_cuda_graph_leave(trk_cuda_graph* graph) {
    TRK_TRY(
        auto& g = unwrap_graph(graph);
        if (!g.previous) return 0;
        auto previous = *g.previous;
        g.previous.reset();
        c10::cuda::setCurrentCUDAStream(previous);
        order_after(g.side, previous))
}

int trk_cuda_graph_capture_begin(trk_cuda_graph* graph) {
    TRK_TRY(
        auto& g = unwrap_graph(graph);
        if (!g.previous) throw std::logic_error("enter the graph's stream before capturing");
        g.graph.capture_begin())
}

// Also ends a capture that failed half-way, so the stream is usable again; the graph is then not replayable.
int trk_cuda_graph_capture_end(trk_cuda_graph* graph) {
    TRK_TRY(
        auto& g = unwrap_graph(graph);
        g.graph.capture_end();
        g.captured = true)
}

int trk_cuda_graph_replay(trk_cuda_graph* graph) {
    TRK_TRY(
        auto& g = unwrap_graph(graph);
        if (!g.captured) throw std::logic_error("the graph was not captured");
        g.graph.replay())
}

#else

int trk_cuda_graph_new(int, trk_cuda_graph**) { TRK_TRY(throw std::runtime_error("this shim was built without CUDA")) }
void trk_cuda_graph_free(trk_cuda_graph*) {}
int trk_cuda_graph_enter(trk_cuda_graph*) { TRK_TRY(throw std::runtime_error("this shim was built without CUDA")) }
int trk_cuda_graph_leave(trk_cuda_graph*) { TRK_TRY(throw std::runtime_error("this shim was built without CUDA")) }
int trk_cuda_graph_capture_begin(trk_cuda_graph*) { TRK_TRY(throw std::runtime_error("this shim was built without CUDA")) }
int trk_cuda_graph_capture_end(trk_cuda_graph*) { TRK_TRY(throw std::runtime_error("this shim was built without CUDA")) }
int trk_cuda_graph_replay(trk_cuda_graph*) { TRK_TRY(throw std::runtime_error("this shim was built without CUDA")) }

#endif

}  // extern "C"
