using System.Runtime.InteropServices;

namespace Tracker.Training.Torch.Interop;

/// <summary>Turns the shim's status codes into exceptions and its handles into tensors.</summary>
internal static class Native
{
    public static void Check(int status)
    {
        if (status != 0) throw new TorchException(LastError());
    }

    public static Tensor Wrap(int status, IntPtr handle)
    {
        Check(status);
        return new Tensor(handle);
    }

    private static string LastError()
    {
        var message = Marshal.PtrToStringUTF8(NativeMethods.trk_last_error());
        return string.IsNullOrWhiteSpace(message) ? "libtorch reported an error without a message" : message.Trim();
    }
}
