using System.Diagnostics;
using System.Text.RegularExpressions;
using Tracker.Web.Tests.Support;

namespace Tracker.Web.Tests.Packaging;

/// <summary>
/// No Docker engine runs in CI, so these keep the Dockerfile honest another way: it may only use what
/// scripts/common.sh defines (the functions and package lists ./test.sh runs), and its runtime stage must
/// install the package that holds the libtorch the shim was linked against.
/// </summary>
public partial class DockerfileTests
{
    private static readonly string Dockerfile = File.ReadAllText(RepositoryRoot.Combine("Dockerfile"));

    [Fact]
    public void Dockerfile_UsesOnlyFunctionsAndPackageListsThatCommonShDefines()
    {
        var defined = Bash("declare -F | cut -d' ' -f3; compgen -A arrayvar TRACKER_").ToHashSet();
        var used = UsedNames().Matches(Dockerfile).Select(m => m.Groups["name"].Value).Distinct().ToList();

        Assert.Contains("publish_web", used);
        Assert.Contains("TRACKER_RUNTIME_PACKAGES", used);
        Assert.All(used, name => Assert.Contains(name, defined));
    }

    [Fact]
    public void RuntimePackages_HoldTheLibtorchTheShimLinksAgainst()
    {
        var shim = Path.Combine(AppContext.BaseDirectory, "libtracker_torch.so");
        var libtorch = Run("ldd", shim).Split('\n')
            .Select(line => LddTarget().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value.StartsWith("libtorch.so", StringComparison.Ordinal))
            .Select(m => m.Groups["path"].Value)
            .Single();
        var owner = Run("dpkg-query", "-S", Run("readlink", "-f", libtorch).Trim()).Split(':')[0];

        Assert.Contains(owner, Bash("printf '%s\\n' \"${TRACKER_RUNTIME_PACKAGES[@]}\""));
    }

    private static IReadOnlyList<string> Bash(string script) =>
        Run("bash", "-c", $"source scripts/common.sh && {script}").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot.Path };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {error}");
        return output;
    }

    // A function call of common.sh (ensure_*, publish_*) or a package list (TRACKER_*_PACKAGES).
    [GeneratedRegex(@"\b(?<name>ensure_[a-z_]+|publish_[a-z_]+|TRACKER_[A-Z_]+_PACKAGES)\b")]
    private static partial Regex UsedNames();

    [GeneratedRegex(@"^\s*(?<name>\S+) => (?<path>/\S+)")]
    private static partial Regex LddTarget();
}
