using System.Reflection;
using System.Xml.Linq;
using Tracker.Shared;
using Tracker.Training.Torch;
using Tracker.Web.Tests.Support;

namespace Tracker.Web.Tests.Architecture;

/// <summary>
/// Dependencies point one way: Shared &lt;- Training &lt;- Web, and Shared &lt;- Training &lt;- Worker. Shared references nothing; Training
/// references no ASP.NET or EF; only Web knows the database and SignalR. Checked twice: in the
/// compiled assemblies (what really loads) and in the project files (what a reviewer edits).
/// </summary>
public class DependencyDirectionTests
{
    private static readonly Assembly SharedAssembly = typeof(RunConfig).Assembly;
    private static readonly Assembly TrainingAssembly = typeof(torch).Assembly;
    private static readonly Assembly WebAssembly = typeof(Program).Assembly;

    // What only the Web host may know: the web framework, SignalR, the database stack.
    private static readonly string[] WebOnlyPrefixes =
        ["Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Microsoft.Data.Sqlite", "Npgsql", "Tracker.Web"];

    [Fact]
    public void SharedAssembly_ReferencesOnlyTheBaseLibrary()
    {
        var references = SharedAssembly.GetReferencedAssemblies().Select(name => name.Name!).ToList();

        Assert.NotEmpty(references);
        Assert.All(references, name => Assert.True(IsBaseLibrary(name), $"Tracker.Shared references {name}"));
    }

    [Fact]
    public void TrainingAssembly_ReferencesNoWebOrDatabaseAssembly()
    {
        var references = TrainingAssembly.GetReferencedAssemblies().Select(name => name.Name!).ToList();

        Assert.NotEmpty(references);
        Assert.Empty(WebOnly(references));
    }

    [Fact]
    public void WebOnlyCheck_SeesTheWebHostsOwnReferences()
    {
        // Guards the two tests above against passing vacuously: the same check flags Web itself.
        var references = WebAssembly.GetReferencedAssemblies().Select(name => name.Name!);

        Assert.Contains(WebOnly(references), name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void SharedProject_HasNoReferences()
    {
        var project = LoadProject("src", "Shared", "Tracker.Shared.csproj");

        Assert.Equal("Microsoft.NET.Sdk", project.Root!.Attribute("Sdk")?.Value);
        Assert.Empty(Includes(project, "ProjectReference"));
        Assert.Empty(Includes(project, "PackageReference"));
        Assert.Empty(Includes(project, "FrameworkReference"));
    }

    [Fact]
    public void TrainingProject_ReferencesOnlySharedAndNoWebOrDatabasePackage()
    {
        var project = LoadProject("src", "Training", "Tracker.Training.csproj");

        Assert.Equal("Microsoft.NET.Sdk", project.Root!.Attribute("Sdk")?.Value);
        Assert.Equal(new[] { "Tracker.Shared.csproj" }, Includes(project, "ProjectReference").Select(FileName));
        Assert.Empty(WebOnly(Includes(project, "PackageReference")));
        Assert.Empty(Includes(project, "FrameworkReference"));
    }

    [Fact]
    public void WebProject_ReferencesTrainingAndShared_AndTheEngineItStartsPerRun()
    {
        var project = LoadProject("src", "Web", "Tracker.Web.csproj");

        var referenced = Includes(project, "ProjectReference").Select(FileName).Order();
        // Tracker.Training.Cli is tracker-train, the process each run trains in: referenced so the build puts it beside
        // the app (decision 0052). It sits in the Training layer, so the direction Shared <- Training <- Web holds.
        Assert.Equal(new[] { "Tracker.Shared.csproj", "Tracker.Training.Cli.csproj", "Tracker.Training.csproj" }, referenced);
    }

    [Fact]
    public void WorkerProject_ReferencesTrainingNotWeb_AndTheEngineItStartsPerRun()
    {
        var project = LoadProject("src", "Worker", "Tracker.Worker.csproj");

        Assert.Equal("Microsoft.NET.Sdk", project.Root!.Attribute("Sdk")?.Value);
        // tracker-worker knows the server only through the HTTP protocol in Shared: no Web project, no web or database package.
        Assert.Equal(new[] { "Tracker.Training.Cli.csproj", "Tracker.Training.csproj" }, Includes(project, "ProjectReference").Select(FileName).Order());
        Assert.Empty(WebOnly(Includes(project, "PackageReference")));
        Assert.Empty(Includes(project, "FrameworkReference"));
    }

    private static bool IsBaseLibrary(string name) =>
        name is "System" or "netstandard" or "mscorlib" || name.StartsWith("System.", StringComparison.Ordinal);

    private static List<string> WebOnly(IEnumerable<string> names) =>
        names.Where(name => WebOnlyPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))).ToList();

    private static string FileName(string path) => Path.GetFileName(path.Replace('\\', '/'));

    private static XDocument LoadProject(params string[] relativePath) => XDocument.Load(RepositoryRoot.Combine(relativePath));

    private static List<string> Includes(XDocument project, string itemType) =>
        project.Descendants(itemType).Select(item => item.Attribute("Include")?.Value ?? "").ToList();
}
