using System.Reflection;
using Microsoft.AspNetCore.Components;

namespace Tracker.Web.Components.Layout;

/// <summary>One link of the sidebar.</summary>
/// <param name="Text">The link's text.</param>
/// <param name="Path">The page's route, exactly as its @page directive writes it.</param>
/// <param name="Icon">A Material Symbols name.</param>
public sealed record SiteMapEntry(string Text, string Path, string Icon);

/// <summary>
/// The sidebar's links in one place. An entry shows only once a page with exactly its route exists,
/// so a feature's page brings its link with it and the sidebar never leads to a 404.
/// </summary>
public static class SiteMap
{
    public static IReadOnlyList<SiteMapEntry> Planned { get; } =
    [
        new("Home", AppUrls.Home, "home"),
        new("Runs", AppUrls.Runs, "monitoring"),
        new("New run", AppUrls.NewRun, "add_circle"),
        new("Queue", AppUrls.Queue, "queue"),
        new("Compare", AppUrls.Compare, "compare_arrows"),
        new("Paper", AppUrls.Paper, "description"),
    ];

    public static IReadOnlyList<SiteMapEntry> Available { get; } = WithPages(Planned, RoutesOf(typeof(SiteMap).Assembly));

    public static IReadOnlyList<SiteMapEntry> WithPages(IEnumerable<SiteMapEntry> entries, IEnumerable<string> routeTemplates)
    {
        var routes = routeTemplates.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return entries.Where(entry => routes.Contains(entry.Path)).ToList();
    }

    /// <summary>The templates of every @page in the assembly (a @page directive compiles to [Route]).</summary>
    public static IEnumerable<string> RoutesOf(Assembly assembly) =>
        assembly.GetTypes()
            .Where(type => typeof(IComponent).IsAssignableFrom(type))
            .SelectMany(type => type.GetCustomAttributes<RouteAttribute>())
            .Select(route => route.Template);
}
