using System.Reflection;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Tracker.Web.Components.Layout;

/// <summary>One link of the sidebar.</summary>
/// <param name="Text">The link's text.</param>
/// <param name="Path">The page's route, exactly as its @page directive writes it.</param>
/// <param name="Icon">A MudBlazor icon (an SVG path from <see cref="Icons"/>).</param>
/// <param name="Policy">Who sees the link (Tracker.Web.Security.Policies): the page's own policy, so nobody is led to a refusal.</param>
public sealed record SiteMapEntry(string Text, string Path, string Icon, string Policy = Tracker.Web.Security.Policies.Read);

/// <summary>
/// The sidebar's links in one place. An entry shows only once a page with exactly its route exists,
/// so a feature's page brings its link with it and the sidebar never leads to a 404.
/// </summary>
public static class SiteMap
{
    public static IReadOnlyList<SiteMapEntry> Planned { get; } =
    [
        new("Home", AppUrls.Home, Icons.Material.Filled.Home),
        new("Runs", AppUrls.Runs, Icons.Material.Filled.Monitor),
        new("New run", AppUrls.NewRun, Icons.Material.Filled.AddCircle, Tracker.Web.Security.Policies.Write),
        new("Queue", AppUrls.Queue, Icons.Material.Filled.Queue),
        new("Workers", AppUrls.Workers, Icons.Material.Filled.Dns),
        new("Compare", AppUrls.Compare, Icons.Material.Filled.CompareArrows),
        new("Paper", AppUrls.Paper, Icons.Material.Filled.Description),
        new("Trash", AppUrls.Trash, Icons.Material.Filled.Delete),
        new("API tokens", AppUrls.Tokens, Icons.Material.Filled.Key),
        new("Change password", AppUrls.ChangePassword, Icons.Material.Filled.Password),
        new("Users", AppUrls.AdminUsers, Icons.Material.Filled.Group, Tracker.Web.Security.Policies.Admin),
        new("Audit log", AppUrls.AdminAudit, Icons.Material.Filled.History, Tracker.Web.Security.Policies.Admin),
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
