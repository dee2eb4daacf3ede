using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs.Filtering;

/// <summary>
/// The /runs filter language in one call: parse, then compile to a predicate over <see cref="Run"/>, e.g.
/// <c>model = vit-nano AND (method = "early dropout" OR method = "early s.d.") AND val/acc &gt; 80</c>.
/// </summary>
public static class RunFilter
{
    /// <summary>
    /// True with a predicate (null for a blank query: every run) or false with an error that names its column.
    /// </summary>
    public static bool TryCompile(string? query, out Expression<Func<Run, bool>>? predicate, [NotNullWhen(false)] out FilterError? error)
    {
        predicate = null;
        error = null;
        try
        {
            if (FilterParser.Parse(query) is { } node) predicate = RunFilterCompiler.Compile(node);
            return true;
        }
        catch (FilterException ex)
        {
            error = ex.ToError();
            return false;
        }
    }
}
