using System.Reflection;
using System.Runtime.InteropServices;

namespace Tracker.Training.Torch.Interop;

/// <summary>
/// Finds libtracker_torch.so beside this assembly (where the build copies it), so `dotnet run`,
/// `dotnet test` and a published app all load it without LD_LIBRARY_PATH. TRACKER_NATIVE_DIR
/// overrides the folder, for a shim built elsewhere (a CUDA build, say).
/// </summary>
internal static class NativeLibraryResolver
{
    private const string FileName = "libtracker_torch.so";
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != NativeMethods.LibraryName) return IntPtr.Zero;
        foreach (var directory in CandidateDirectories())
        {
            var path = Path.Combine(directory, FileName);
            if (File.Exists(path)) return NativeLibrary.Load(path);
        }
        throw new DllNotFoundException(
            $"{FileName} was not found in {string.Join(", ", CandidateDirectories())}. " +
            "Build Tracker.Training (it runs CMake over src/Training/Native) or set TRACKER_NATIVE_DIR.");
    }

    private static IEnumerable<string> CandidateDirectories()
    {
        var overrideDirectory = Environment.GetEnvironmentVariable("TRACKER_NATIVE_DIR");
        if (!string.IsNullOrEmpty(overrideDirectory)) yield return overrideDirectory;
        var assemblyDirectory = Path.GetDirectoryName(typeof(NativeLibraryResolver).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDirectory)) yield return assemblyDirectory;
        yield return AppContext.BaseDirectory;
        yield return Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
    }
}
