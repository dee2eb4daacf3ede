// The P/Invoke surface of Native/include/tracker_torch.h, split like the shim: one partial per
// source file (NativeMethods.Core.cs for src/core.cpp, and Ops, Nn, Optim), in header order.
// NativeSurfaceTests parses the header and checks that both sides declare the same functions,
// each with the same return type and the same parameters (count, order, names, and C types
// mapped to blittable C# types), and that each declaration sits in the partial of its .cpp.
// Pointers rather than marshalled arrays keep each call a plain blittable transition.
namespace Tracker.Training.Torch.Interop;

internal static unsafe partial class NativeMethods
{
    internal const string LibraryName = "tracker_torch";

    static NativeMethods() => NativeLibraryResolver.Register();
}
