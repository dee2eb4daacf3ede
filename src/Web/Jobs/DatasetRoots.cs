using Microsoft.Extensions.Options;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Jobs;

/// <summary>The "Training" section: where submitted configs may read datasets from.</summary>
public sealed class TrainingOptions
{
    public const string SectionName = "Training";

    /// <summary>
    /// Folders a run's datasetPath must lie under; relative ones are taken from the content root. Empty (the default)
    /// means Debian's dataset folder (/usr/share/datasets) and the app's data folder (the one holding the SQLite file).
    /// </summary>
    public List<string> DatasetRoots { get; set; } = [];
}

/// <summary>
/// Keeps datasetPath inside the configured roots, so a config cannot make the server read /etc/shadow or /dev/zero. The
/// answer is the same sentence whether or not the path exists, so it cannot be used to probe the server's files.
/// </summary>
public sealed class DatasetRoots(IOptions<TrainingOptions> training, IOptions<DatabaseOptions> database, IHostEnvironment environment)
{
    public const string DebianDatasets = "/usr/share/datasets";

    public IReadOnlyList<string> Roots { get; } = ResolveRoots(training.Value, database.Value, environment.ContentRootPath);

    private static List<string> ResolveRoots(TrainingOptions training, DatabaseOptions database, string contentRoot)
    {
        var roots = training.DatasetRoots.Count > 0
            ? training.DatasetRoots
            : [DebianDatasets, Path.GetDirectoryName(database.ResolveSqlitePath(contentRoot))!];
        return roots.Where(r => !string.IsNullOrWhiteSpace(r))
            .Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(contentRoot, r)))).Distinct().ToList();
    }

    /// <summary>Why <paramref name="config"/>'s datasetPath may not be read; null when it may (or there is none).</summary>
    public FieldError? Check(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrWhiteSpace(config.DatasetPath) || InputRules.HasControlCharacter(config.DatasetPath)) return null; // the validator's case
        return IsUnderARoot(config.DatasetPath) ? null
            : new FieldError("datasetPath", $"The dataset path must be under one of the dataset folders this server allows: {string.Join(", ", Roots)} (Training:DatasetRoots).");
    }

    /// <summary>The path with every link along it followed, as the trainer would open it: a link inside a root may point anywhere.</summary>
    private static string WithoutLinks(string fullPath)
    {
        var resolved = Path.GetPathRoot(fullPath)!;
        foreach (var part in fullPath[resolved.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(resolved, part);
            var info = new FileInfo(next);
            resolved = info.Exists || Directory.Exists(next)
                ? (info.LinkTarget is not null ? info.ResolveLinkTarget(returnFinalTarget: true)?.FullName : null)
                  ?? (new DirectoryInfo(next) is { LinkTarget: not null } folder ? folder.ResolveLinkTarget(returnFinalTarget: true)?.FullName : null)
                  ?? next
                : next;
        }
        return resolved;
    }

    public bool IsUnderARoot(string path)
    {
        string full;
        try
        {
            full = WithoutLinks(Path.GetFullPath(path, Roots.Count > 0 ? Roots[0] : "/"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return false;
        }
        return Roots.Any(root => full.Equals(root, StringComparison.Ordinal) || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }
}
