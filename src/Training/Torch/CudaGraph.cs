using Tracker.Training.Torch.Interop;

namespace Tracker.Training.Torch;

/// <summary>
/// A CUDA graph: work queued between <see cref="BeginCapture"/> and <see cref="EndCapture"/> is recorded,
/// not run, and each <see cref="Replay"/> runs all of it with one launch. Capture happens on the graph's own
/// side stream (<see cref="Enter"/>/<see cref="Leave"/>); tensors the captured work reads or writes must keep
/// their memory across replays. Only a shim built against a CUDA libtorch has graphs (<see cref="IsAvailable"/>).
/// </summary>
public sealed unsafe class CudaGraph : IDisposable
{
    private IntPtr _handle;

    public CudaGraph(Device device)
    {
        if (device.Type != DeviceType.CUDA) throw new ArgumentException($"CUDA graphs need a CUDA device, not {device}.", nameof(device));
        IntPtr handle;
        Native.Check(NativeMethods.trk_cuda_graph_new(Math.Max(device.Index, 0), &handle));
        _handle = handle;
    }

    /// <summary>Whether this shim has CUDA graphs and a GPU is present.</summary>
    public static bool IsAvailable
    {
        get
        {
            int available;
            Native.Check(NativeMethods.trk_cuda_graphs_available(&available));
            return available != 0;
        }
    }

    public void Enter() => Native.Check(NativeMethods.trk_cuda_graph_enter(Handle));

    public void Leave() => Native.Check(NativeMethods.trk_cuda_graph_leave(Handle));

    public void BeginCapture() => Native.Check(NativeMethods.trk_cuda_graph_capture_begin(Handle));

    public void EndCapture() => Native.Check(NativeMethods.trk_cuda_graph_capture_end(Handle));

    public void Replay() => Native.Check(NativeMethods.trk_cuda_graph_replay(Handle));

    private IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(CudaGraph));

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        NativeMethods.trk_cuda_graph_free(_handle);
        _handle = IntPtr.Zero;
    }
}
