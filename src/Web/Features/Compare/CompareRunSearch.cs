using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs;
using Tracker.Web.Features.Runs.Filtering;

namespace Tracker.Web.Features.Compare;

/// <summary>
/// How the comparison's run picker turns what is typed into runs: a filter-language query as /runs takes it
/// (<c>method = "early dropout" AND model = mlp</c>), or else plain words, searched in names and tags. Both go through the
/// one filter compiler and the run list query.
/// </summary>
public static class CompareRunSearch
{
    /// <summary>Runs a search lists at most, newest first.</summary>
    public const int MaxResults = 50;

    /// <summary>
    /// The filter for <paramref name="text"/>: itself when it is a valid query, else <c>name ~ "text" OR tag ~ "text"</c>.
    /// False (with the query's own error) only when the text looks like a query (has an operator) and is not a valid one.
    /// </summary>
    public static bool TryFilter(string text, out Expression<Func<Run, bool>>? filter, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (RunFilter.TryCompile(text, out filter, out var queryError)) return true;
        if (text.IndexOfAny(['=', '<', '>', '~', '(']) >= 0)
        {
            error = queryError.Message;
            return false;
        }
        var quoted = "\"" + text.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        if (RunFilter.TryCompile($"name ~ {quoted} OR tag ~ {quoted}", out filter, out queryError)) return true;
        error = queryError.Message;
        return false;
    }

    /// <summary>The newest <see cref="MaxResults"/> runs <paramref name="filter"/> keeps, and how many it keeps in all.</summary>
    public static async Task<RunPage> FindAsync(TrackerDbContext context, Expression<Func<Run, bool>>? filter, CancellationToken cancellationToken) =>
        await RunQueries.ListAsync(context, new RunListQuery(null, null, null, null, RunSort.Created, Descending: true, Page: 1, MaxResults, filter),
            cancellationToken);
}
