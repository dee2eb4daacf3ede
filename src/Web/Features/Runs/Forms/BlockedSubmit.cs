using System.Globalization;

namespace Tracker.Web.Features.Runs.Forms;

/// <summary>
/// What the new-run form does when a submit is refused: which input to bring into view and focus (the first invalid one
/// in page order, or the list of problems at the top when it has any, since it comes first), and a message that names
/// the inputs to fix, so the user at the button need not hunt for them a screen higher.
/// </summary>
public static class BlockedSubmit
{
    /// <summary>The id of the problem list at the top of the form (it takes the focus when it has problems).</summary>
    public const string ProblemsId = "form-problems";

    /// <summary>How many inputs the message names before it says "and N more".</summary>
    public const int NamedInputs = 3;

    /// <summary>The id of the sweep's list of invalid runs.</summary>
    public const string SweepProblemsId = "sweep-problems";

    /// <summary>A CSS selector of the field of <paramref name="path"/> (its <c>ConfigField</c>, which holds the input).</summary>
    public static string FieldSelector(string path) => $"[data-field=\"{path}\"]";

    /// <summary>
    /// "Nothing was queued: fix Learning rate and Epochs (marked above)." Names up to <see cref="NamedInputs"/> inputs by
    /// label, in page order, and mentions the list at the top when it has problems.
    /// </summary>
    public static string Message(IReadOnlyList<string> invalidLabels, bool hasTopProblems)
    {
        ArgumentNullException.ThrowIfNull(invalidLabels);
        var parts = new List<string>();
        if (invalidLabels.Count > 0)
        {
            var named = invalidLabels.Take(NamedInputs).ToList();
            var more = invalidLabels.Count - named.Count;
            if (more > 0) named.Add(string.Create(CultureInfo.InvariantCulture, $"{more} more {(more == 1 ? "field" : "fields")}"));
            parts.Add($"{Join(named)} (marked above)");
        }
        if (hasTopProblems) parts.Add("the problems listed at the top");
        return parts.Count == 0 ? "Nothing was queued." : $"Nothing was queued: fix {Join(parts)}.";
    }

    private static string Join(IReadOnlyList<string> items) =>
        items.Count <= 1 ? string.Concat(items) : $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}";
}
