// The functions Native/src/optim.cpp defines: fused optimizer steps and gradient clipping.
using System.Runtime.InteropServices;

namespace Tracker.Training.Torch.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(LibraryName)]
    internal static partial int trk_adamw_step(IntPtr* @params, IntPtr* exp_avg, IntPtr* exp_avg_sq, int count, double lr, double beta1, double beta2, double eps, double weight_decay, long step);

    [LibraryImport(LibraryName)]
    internal static partial int trk_sgd_step(IntPtr* @params, IntPtr* momentum_buffers, int count, double lr, double momentum, double dampening, double weight_decay, int nesterov, long step);

    [LibraryImport(LibraryName)]
    internal static partial int trk_clip_grad_norm(IntPtr* @params, int count, double max_norm, double* total_norm);

    [LibraryImport(LibraryName)]
    internal static partial int trk_adamw_step_device(IntPtr* @params, IntPtr* exp_avg, IntPtr* exp_avg_sq, int count, IntPtr lr, IntPtr step, double beta1, double beta2, double eps, double weight_decay);

    [LibraryImport(LibraryName)]
    internal static partial int trk_zero_grads(IntPtr* @params, int count);

    [LibraryImport(LibraryName)]
    internal static partial int trk_set_grad(IntPtr param, IntPtr grad);
}
