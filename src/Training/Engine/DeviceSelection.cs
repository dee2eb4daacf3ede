using Tracker.Shared;
using Tracker.Training.Torch;

namespace Tracker.Training.Engine;

/// <summary>Turns a config's device choice into a libtorch device: auto means CUDA when the linked libtorch has a GPU.</summary>
public static class DeviceSelection
{
    public static Device Resolve(DeviceKind kind) => kind switch
    {
        DeviceKind.Cpu => torch.CPU,
        DeviceKind.Cuda when torch.cuda.is_available() => torch.CUDA,
        DeviceKind.Cuda => throw new InvalidOperationException(
            "device 'cuda' was asked for, but the linked libtorch has no CUDA device (Debian's libtorch-dev is CPU-only; see README, CUDA)."),
        _ => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
    };
}
