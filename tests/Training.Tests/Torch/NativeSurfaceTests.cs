using System.Reflection;
using System.Text.RegularExpressions;
using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Torch;

/// <summary>
/// The C header and the C# declarations describe the same native functions: the same names, and
/// for each the same return type and parameters (count, order, names and types, with C types
/// mapped to the blittable C# types a call passes unchanged). A mismatch here is a call that
/// compiles and then reads the wrong bytes.
/// </summary>
public partial class NativeSurfaceTests
{
    [GeneratedRegex(@"^\s*TRK_API\s+(?<return>[^;(]*?)\s*\b(?<name>trk_\w+)\s*\((?<parameters>[^)]*)\)\s*;", RegexOptions.Multiline)]
    private static partial Regex DeclaredFunction();

    [GeneratedRegex(@"^(?<type>.*?)\s*\b(?<name>\w+)$", RegexOptions.Singleline)]
    private static partial Regex Parameter();

    // A definition starts in the first column; calls and helpers inside bodies are indented.
    [GeneratedRegex(@"^[A-Za-z_][\w \*]*?\b(trk_\w+)\s*\(", RegexOptions.Multiline)]
    private static partial Regex DefinedFunction();

    [GeneratedRegex(@"\bpartial\s+[\w\*]+\s+(trk_\w+)\s*\(")]
    private static partial Regex ImportedFunction();

    private sealed record CParameter(string Type, string Name);

    private sealed record CFunction(string Name, string ReturnType, IReadOnlyList<CParameter> Parameters);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Tracker.sln"))) return directory.FullName;
        throw new InvalidOperationException($"No Tracker.sln above {AppContext.BaseDirectory}.");
    }

    private static string NativeDirectory() => Path.Combine(RepositoryRoot(), "src", "Training", "Native");

    // "const int64_t *" and "const int64_t*" are the same type; const has no C# counterpart.
    private static string NormalizeCType(string type) =>
        Regex.Replace(Regex.Replace(type, @"\bconst\b", " "), @"\s+", " ").Replace(" *", "*").Trim();

    private static Dictionary<string, CFunction> HeaderFunctions()
    {
        var header = File.ReadAllText(Path.Combine(NativeDirectory(), "include", "tracker_torch.h"));
        return DeclaredFunction().Matches(header).Select(m =>
        {
            var list = Regex.Replace(m.Groups["parameters"].Value, @"\s+", " ").Trim();
            var parameters = list is "" or "void"
                ? []
                : list.Split(',').Select(p =>
                {
                    var parameter = Parameter().Match(p.Trim());
                    return new CParameter(NormalizeCType(parameter.Groups["type"].Value), parameter.Groups["name"].Value);
                }).ToList();
            return new CFunction(m.Groups["name"].Value, NormalizeCType(m.Groups["return"].Value), parameters);
        }).ToDictionary(f => f.Name);
    }

    private static Dictionary<string, MethodInfo> ImportedFunctions()
    {
        var nativeMethods = typeof(torch).Assembly.GetType("Tracker.Training.Torch.Interop.NativeMethods")
            ?? throw new InvalidOperationException("NativeMethods is missing from the binding assembly.");
        return nativeMethods.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Where(m => m.Name.StartsWith("trk_", StringComparison.Ordinal))
            .ToDictionary(m => m.Name);
    }

    private static readonly Dictionary<string, Type> Scalars = new()
    {
        ["void"] = typeof(void),
        ["char"] = typeof(byte),
        ["int"] = typeof(int),
        ["int32_t"] = typeof(int),
        ["int64_t"] = typeof(long),
        ["uint64_t"] = typeof(ulong),
        ["float"] = typeof(float),
        ["double"] = typeof(double),
    };

    /// <summary>The C# types that pass a value of this C type unchanged.</summary>
    private static Type[] CSharpTypesFor(string cType)
    {
        // A tensor or a CUDA graph is an opaque handle (IntPtr, which nint also is); a string comes
        // back as a pointer the caller decodes.
        if (cType is "trk_tensor*" or "trk_cuda_graph*") return [typeof(IntPtr)];
        if (cType == "char*") return [typeof(IntPtr), typeof(byte).MakePointerType(), typeof(sbyte).MakePointerType()];
        if (cType.EndsWith('*'))
            return CSharpTypesFor(cType[..^1]).Select(t => t.MakePointerType()).ToArray();
        return Scalars.TryGetValue(cType, out var scalar)
            ? [scalar]
            : throw new InvalidOperationException($"no C# mapping for the C type '{cType}': add one to {nameof(Scalars)}");
    }

    private static IEnumerable<string> Mismatches(CFunction c, MethodInfo cs)
    {
        string Expected(string cType) => string.Join(" or ", CSharpTypesFor(cType).Select(t => t.Name));

        if (!CSharpTypesFor(c.ReturnType).Contains(cs.ReturnType))
            yield return $"{c.Name}: returns {cs.ReturnType.Name} in C#, the header's {c.ReturnType} needs {Expected(c.ReturnType)}";
        var parameters = cs.GetParameters();
        if (parameters.Length != c.Parameters.Count)
        {
            yield return $"{c.Name}: {parameters.Length} parameters in C#, {c.Parameters.Count} in the header";
            yield break;
        }
        for (var i = 0; i < parameters.Length; i++)
        {
            var (header, declared) = (c.Parameters[i], parameters[i]);
            if (!CSharpTypesFor(header.Type).Contains(declared.ParameterType))
                yield return $"{c.Name}: parameter {i + 1} '{header.Name}' is {declared.ParameterType.Name} in C#, the header's {header.Type} needs {Expected(header.Type)}";
            if (declared.Name != header.Name)
                yield return $"{c.Name}: parameter {i + 1} is '{declared.Name}' in C#, '{header.Name}' in the header (swapped arguments?)";
        }
    }

    [Fact]
    public void EveryHeaderFunction_IsImportedInCSharp()
    {
        var header = HeaderFunctions();
        Assert.True(header.Count > 100, $"parsed only {header.Count} functions: the header pattern is probably wrong");
        Assert.Empty(header.Keys.Except(ImportedFunctions().Keys).Order());
    }

    [Fact]
    public void EveryImportedFunction_IsDeclaredInTheHeader() =>
        Assert.Empty(ImportedFunctions().Keys.Except(HeaderFunctions().Keys).Order());

    [Fact]
    public void EveryImportedFunction_HasTheHeadersReturnAndParameterTypes()
    {
        var header = HeaderFunctions();
        var mismatches = ImportedFunctions().Values
            .Where(m => header.ContainsKey(m.Name))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .SelectMany(m => Mismatches(header[m.Name], m))
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [Fact]
    public void HeaderParse_ReadsReturnTypesAndParameters_AndSkipsTheHandleType()
    {
        var header = HeaderFunctions();
        Assert.Equal("char*", header["trk_last_error"].ReturnType);
        Assert.Empty(header["trk_last_error"].Parameters); // (void)
        Assert.Equal("void", header["trk_free"].ReturnType);
        Assert.Equal(new CParameter("trk_tensor*", "t"), Assert.Single(header["trk_free"].Parameters));
        // Declared over two lines.
        Assert.Equal(10, header["trk_adamw_step"].Parameters.Count);
        Assert.Equal(new CParameter("int64_t", "step"), header["trk_adamw_step"].Parameters[^1]);
        Assert.Equal(new CParameter("trk_tensor**", "out"), header["trk_linear"].Parameters[^1]);
        Assert.DoesNotContain("trk_tensor", header.Keys);
    }

    [Fact]
    public void TypeMapping_PassesEachCTypeAsItsBlittableCSharpType()
    {
        Assert.Equal(new[] { typeof(long) }, CSharpTypesFor("int64_t"));
        Assert.Equal(new[] { typeof(long).MakePointerType() }, CSharpTypesFor("int64_t*"));
        Assert.Equal(new[] { typeof(void).MakePointerType() }, CSharpTypesFor("void*"));
        Assert.Equal(new[] { typeof(IntPtr) }, CSharpTypesFor("trk_tensor*"));
        Assert.Equal(new[] { typeof(IntPtr).MakePointerType() }, CSharpTypesFor("trk_tensor**"));
        Assert.Equal(new[] { typeof(double).MakePointerType() }, CSharpTypesFor("double*"));
        Assert.Throws<InvalidOperationException>(() => CSharpTypesFor("size_t"));
    }

    [Fact]
    public void EveryImport_LivesInThePartialNamedAfterTheSourceFileDefiningIt()
    {
        var interop = Path.Combine(RepositoryRoot(), "src", "Training", "Torch", "Interop");
        var importedIn = Directory.GetFiles(interop, "NativeMethods*.cs")
            .SelectMany(file => ImportedFunction().Matches(File.ReadAllText(file)).Select(m => (Name: m.Groups[1].Value, File: Path.GetFileName(file))))
            .ToLookup(x => x.Name, x => x.File);
        var misplaced = new List<string>();
        var defined = 0;
        foreach (var source in Directory.GetFiles(Path.Combine(NativeDirectory(), "src"), "*.cpp"))
        {
            var stem = Path.GetFileNameWithoutExtension(source);
            var expected = $"NativeMethods.{char.ToUpperInvariant(stem[0])}{stem[1..]}.cs";
            foreach (var name in DefinedFunction().Matches(File.ReadAllText(source)).Select(m => m.Groups[1].Value).Distinct())
            {
                defined++;
                if (!importedIn[name].SequenceEqual([expected]))
                    misplaced.Add($"{name} (defined in {stem}.cpp) is declared in [{string.Join(", ", importedIn[name])}], expected {expected}");
            }
        }
        Assert.True(defined > 100, $"found only {defined} definitions: the source pattern is probably wrong");
        Assert.True(misplaced.Count == 0, string.Join(Environment.NewLine, misplaced));
    }
}
