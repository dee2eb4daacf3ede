// The functions Native/src/cuda.cpp defines: CUDA graphs (a graph is an opaque handle, like a tensor).
using System.Runtime.InteropServices;

namespace Tracker.Training.Torch.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(LibraryName)]
    internal static partial int trk_cuda_graphs_available(int* @out);

    [LibraryImport(LibraryName)]
    internal static partial int trk_cuda_graph_new(int device_index, IntPtr* @out);

    [LibraryImport(LibraryName)]
    internal static partial void trk_cuda_graph_free(IntPtr graph);

    [LibraryImport(LibraryName)]
    internal static partial int trk_cuda_graph_enter(IntPtr graph);

    [LibraryImport(LibraryName)]
    internal static partial int trk_cuda_graph_leave(IntPtr graph);

    [LibraryImport(LibraryName)]
    internal static partial int trk_cuda_graph_capture_begin(IntPtr graph);

    [LibraryImport(LibraryName)]
    internal static partial int trk_cuda_graph_capture_end(IntPtr graph);

    [LibraryImport(LibraryName)]
    internal static partial int trk_cuda_graph_replay(IntPtr graph);
}
