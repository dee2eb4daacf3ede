using Tracker.Training.Torch;

namespace Tracker.Web.Runtime;

/// <summary>The libtorch runtime as the binding sees it in this process.</summary>
/// <param name="CudaAvailable">True when the linked libtorch was built with CUDA and sees a GPU.</param>
/// <param name="CudaDeviceCount">GPUs libtorch can use; 0 on a CPU build.</param>
/// <param name="IntraOpThreads">Threads libtorch uses inside one op (torch.get_num_threads()).</param>
public sealed record TorchRuntimeFacts(bool CudaAvailable, int CudaDeviceCount, int IntraOpThreads);

/// <summary>Either the facts or why libtorch could not be asked.</summary>
public sealed record TorchRuntimeStatus(TorchRuntimeFacts? Facts, string? Problem);

/// <summary>
/// Asks libtorch about itself. A missing or broken native library is reported, not thrown,
/// so the pages that show the runtime still render and say what is wrong.
/// </summary>
public sealed class TorchRuntimeProbe(ILogger<TorchRuntimeProbe> logger)
{
    public TorchRuntimeStatus Probe()
    {
        try
        {
            var deviceCount = torch.cuda.device_count();
            return new TorchRuntimeStatus(
                new TorchRuntimeFacts(deviceCount > 0, deviceCount, torch.get_num_threads()),
                Problem: null);
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException
                                              or BadImageFormatException or TorchException)
        {
            logger.LogError(exception, "libtorch could not be queried");
            return new TorchRuntimeStatus(Facts: null, exception.Message);
        }
    }
}
