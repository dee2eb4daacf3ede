using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>The filter language through GET /api/runs?q=..., and saved views through /api/views.</summary>
public class RunFilterApiTests
{
    [Theory, SqliteData, PostgresData]
    public async Task ListRuns_WithAQuery_ReturnsOnlyTheMatchingRuns(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var vit = await host.SubmitAsync(ApiHost.Config("vit", "api") with { Model = KnownModels.VitNano, Dropout = new DropSettings { Rate = 0.1, Mode = DropMode.Early, CutoffEpoch = 2 } });
        await host.SubmitAsync(ApiHost.Config("mlp", "api"));

        var page = await host.GetJsonAsync("/api/runs?q=" + Uri.EscapeDataString("model = vit-nano AND method = \"early dropout\" AND dropout.cutoffEpoch = 2"));

        Assert.Equal(1, page["total"]!.GetValue<int>());
        Assert.Equal(vit, page["items"]![0]!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task ListRuns_WithABadQuery_Returns400NamingTheColumn()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);

        using var response = await host.Client.GetAsync("/api/runs?q=" + Uri.EscapeDataString("model = mlp AND colour = red"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>();
        Assert.StartsWith("Unknown field 'colour' at column 17.", detail, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Views_AreSavedByName_ReplacedUnderTheSameName_AndDeleted(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);

        using var first = await host.Client.PostAsJsonAsync("/api/views", new { name = "vit runs", query = "?q=model%20%3D%20vit-nano" });
        using var replaced = await host.Client.PostAsJsonAsync("/api/views", new { name = "vit runs", query = "q=model%20%3D%20vit-nano&sort=name" });
        using var other = await host.Client.PostAsJsonAsync("/api/views", new { name = "all", query = "" });
        using var unnamed = await host.Client.PostAsJsonAsync("/api/views", new { name = " ", query = "" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unnamed.StatusCode);
        var views = (await host.GetJsonAsync("/api/views")).AsArray();
        Assert.Equal(["all", "vit runs"], views.Select(v => v!["name"]!.GetValue<string>()));
        Assert.Equal("/runs?q=model%20%3D%20vit-nano&sort=name", views[1]!["url"]!.GetValue<string>());
        Assert.Equal("/runs", views[0]!["url"]!.GetValue<string>());

        var id = views[1]!["id"]!.GetValue<long>();
        using var deleted = await host.Client.DeleteAsync($"/api/views/{id}");
        using var again = await host.Client.DeleteAsync($"/api/views/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(["all"], (await host.GetJsonAsync("/api/views")).AsArray().Select(v => v!["name"]!.GetValue<string>()));
    }
}
