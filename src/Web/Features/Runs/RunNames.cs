using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs;

/// <summary>The name a clone gets, so a copy never looks like its source in a list: <c>name (2)</c>, <c>name (3)</c>...</summary>
public static partial class RunNames
{
    /// <summary>
    /// <paramref name="name"/> numbered after every run already named after the same base: cloning "lr sweep" or
    /// "lr sweep (2)" while "lr sweep (2)" exists gives "lr sweep (3)". The base is cut so the name stays within the limit.
    /// </summary>
    public static async Task<string> CopyNameAsync(TrackerDbContext context, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(name);
        var baseName = BaseOf(name);
        var prefix = baseName + " (";
        var taken = await context.Runs.AsNoTracking().Where(r => r.Name == baseName || r.Name.StartsWith(prefix))
            .Select(r => r.Name).ToListAsync(cancellationToken);
        var next = taken.Select(n => n == baseName ? 1 : NumberOf(n, baseName)).DefaultIfEmpty(1).Max() + 1;
        var suffix = string.Create(CultureInfo.InvariantCulture, $" ({next})");
        var room = RunConfigValidator.MaxNameLength - suffix.Length;
        return (baseName.Length > room ? baseName[..room].TrimEnd() : baseName) + suffix;
    }

    /// <summary>The name without a trailing copy number: "run (4)" is "run".</summary>
    public static string BaseOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var match = CopySuffix().Match(name);
        return match.Success && match.Index > 0 ? name[..match.Index] : name;
    }

    private static int NumberOf(string name, string baseName) =>
        CopySuffix().Match(name) is { Success: true } match && match.Index == baseName.Length
            && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : 1;

    [GeneratedRegex(@" \(([0-9]{1,6})\)$", RegexOptions.CultureInvariant)]
    private static partial Regex CopySuffix();
}
