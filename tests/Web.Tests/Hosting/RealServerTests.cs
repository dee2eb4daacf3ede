using System.Net;
using Tracker.Tests.Support;
using Tracker.Web.Tests.Support;

namespace Tracker.Web.Tests.Hosting;

/// <summary>Starts Tracker.Web as its own process on Kestrel, the way it is deployed, and proves it serves.</summary>
public class RealServerTests
{
    [Fact]
    public async Task App_StartedWithUrlsArgument_ServesTheHomePage()
    {
        await using var app = await RunningApp.StartAsync(["--urls", "http://127.0.0.1:0"], environment: []);

        using var client = app.CreateClient();
        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Tracker", Html.Title(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task App_ListensWhereAspNetCoreUrlsSays_InsteadOfTheDefault()
    {
        await using var app = await RunningApp.StartAsync([], environment: [("ASPNETCORE_URLS", "http://127.0.0.1:0")]);

        Assert.Equal("127.0.0.1", app.Address.Host);
        Assert.NotEqual(5080, app.Address.Port);
    }
}
