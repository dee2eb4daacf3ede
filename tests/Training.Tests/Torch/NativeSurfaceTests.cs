using System.Reflection;
using System.Text.RegularExpressions;
using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Torch;

/// <summary>The C header and the C# declarations describe the same set of native functions.</summary>
public partial class NativeSurfaceTests
{
    [GeneratedRegex(@"^\s*TRK_API\b[^(]*?\b(trk_\w+)\s*\(", RegexOptions.Multiline)]
    private static partial Regex DeclaredFunction();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Tracker.sln"))) return directory.FullName;
        throw new InvalidOperationException($"No Tracker.sln above {AppContext.BaseDirectory}.");
    }

    private static HashSet<string> HeaderFunctions()
    {
        var header = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Training", "Native", "include", "tracker_torch.h"));
        return DeclaredFunction().Matches(header).Select(m => m.Groups[1].Value).ToHashSet();
    }

    private static HashSet<string> ImportedFunctions()
    {
        var nativeMethods = typeof(torch).Assembly.GetType("Tracker.Training.Torch.Interop.NativeMethods")
            ?? throw new InvalidOperationException("NativeMethods is missing from the binding assembly.");
        return nativeMethods.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Where(m => m.Name.StartsWith("trk_", StringComparison.Ordinal))
            .Select(m => m.Name)
            .ToHashSet();
    }

    [Fact]
    public void EveryHeaderFunction_IsImportedInCSharp()
    {
        var header = HeaderFunctions();
        Assert.True(header.Count > 100, $"parsed only {header.Count} functions: the header pattern is probably wrong");
        Assert.Empty(header.Except(ImportedFunctions()).Order());
    }

    [Fact]
    public void EveryImportedFunction_IsDeclaredInTheHeader() =>
        Assert.Empty(ImportedFunctions().Except(HeaderFunctions()).Order());

    [Fact]
    public void HeaderParse_FindsFunctionsWithPointerResults_AndSkipsTheHandleType()
    {
        var header = HeaderFunctions();
        Assert.Contains("trk_last_error", header); // returns const char*
        Assert.Contains("trk_free", header); // returns void
        Assert.Contains("trk_adamw_step", header); // declared over two lines
        Assert.DoesNotContain("trk_tensor", header);
    }
}
