using Tracker.Web.Components.Layout;

namespace Tracker.Web.Tests.Layout;

public class SiteMapTests
{
    private static readonly SiteMapEntry Home = new("Home", "/", "home");
    private static readonly SiteMapEntry Runs = new("Runs", "/runs", "monitoring");
    private static readonly SiteMapEntry RunDetails = new("Run", "/runs/{id}", "info");

    [Fact]
    public void WithPages_KeepsEntriesWhoseRouteExists_InPlannedOrder()
    {
        var available = SiteMap.WithPages([Runs, Home], ["/", "/runs", "/queue"]);

        Assert.Equal(new[] { Runs, Home }, available);
    }

    [Fact]
    public void WithPages_DropsEntriesWithoutAPage()
    {
        var available = SiteMap.WithPages([Home, Runs], ["/"]);

        Assert.Equal(new[] { Home }, available);
    }

    [Fact]
    public void WithPages_MatchesRoutesIgnoringCase_ButNotByPrefix()
    {
        var available = SiteMap.WithPages([Runs, RunDetails], ["/Runs/{id}"]);

        Assert.Equal(new[] { RunDetails }, available);
    }

    [Fact]
    public void RoutesOf_FindsTheAppsPages()
    {
        var routes = SiteMap.RoutesOf(typeof(Program).Assembly).ToList();

        Assert.Contains("/", routes);
        Assert.Contains("/not-found", routes);
    }

    [Fact]
    public void Available_StartsWithHome()
    {
        Assert.Equal(Home.Path, SiteMap.Available[0].Path);
    }
}
