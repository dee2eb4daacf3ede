using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>Saved views are each user's own (with the columns they chose); views from before owners are everyone's.</summary>
public class SavedViewOwnersTests
{
    [Theory, SqliteData, PostgresData]
    public async Task EachUserSeesAndChangesOnlyTheirOwnViews_AndTheOnesFromBeforeOwners(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        using var max = await host.MemberClientAsync("max");
        await using (var context = host.Database.CreateDbContext())
        {
            context.SavedViews.Add(new SavedView { Name = "team", Query = "project=paper", CreatedAt = DateTime.UtcNow });
            await context.SaveChangesAsync();
        }

        var admins = await SaveAsync(host.Client, "mine", "project=a&cols=config%3Aseed%2Cmetric%3Aval%2Facc");
        var maxs = await SaveAsync(max, "mine", "project=b");

        Assert.Equal([("mine", "project=a&cols=config%3Aseed%2Cmetric%3Aval%2Facc"), ("team", "project=paper")], await ViewsAsync(host.Client));
        Assert.Equal([("mine", "project=b"), ("team", "project=paper")], await ViewsAsync(max));
        using (var notHis = await max.DeleteAsync($"/api/views/{admins}"))
            Assert.Equal(HttpStatusCode.NotFound, notHis.StatusCode);
        using (var his = await max.DeleteAsync($"/api/views/{maxs}"))
            Assert.Equal(HttpStatusCode.NoContent, his.StatusCode);
        Assert.Equal([("team", "project=paper")], await ViewsAsync(max));
        Assert.Equal(2, (await ViewsAsync(host.Client)).Count);

        // The runs page lists the admin's own view, columns and all.
        var page = await host.Client.GetStringAsync(AppUrls.Runs);
        Assert.Contains("href=\"/runs?project=a&amp;cols=config%3Aseed%2Cmetric%3Aval%2Facc\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("project=b", page, StringComparison.Ordinal);
    }

    private static async Task<long> SaveAsync(HttpClient client, string name, string query)
    {
        using var response = await client.PostAsJsonAsync("/api/views", new { name, query });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();
    }

    private static async Task<List<(string, string)>> ViewsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonNode>("/api/views"))!.AsArray()
            .Select(v => (v!["name"]!.GetValue<string>(), v["query"]!.GetValue<string>())).ToList();
}
