using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>POST /api/runs/bulk: one act on the ticked runs or on every run a filter selects, each run checked as its own endpoint would.</summary>
public class RunBulkApiTests
{
    [Theory, SqliteData, PostgresData]
    public async Task ActionsOnAFilter_ChangeEveryRunItSelects_AndNoOther(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var a = await host.SubmitAsync(ApiHost.Config("seed 1", "bulk"));
        var b = await host.SubmitAsync(ApiHost.Config("seed 2", "bulk"));
        var other = await host.SubmitAsync(ApiHost.Config("elsewhere", "other"));

        var tagged = await BulkAsync(host.Client, """{"action": "tag", "filter": {"project": "bulk"}, "tag": "sweep-1"}""");
        Assert.Equal((2, 2), (tagged["selected"]!.GetValue<int>(), tagged["outcomes"]!["done"]!.GetValue<int>()));
        Assert.Equal([a, b], Ids(await host.GetJsonAsync("/api/runs?tag=sweep-1&sort=name")));
        // Tagging again changes nothing and says so.
        var again = await BulkAsync(host.Client, $$"""{"action": "tag", "runs": [{{a}}], "tag": "sweep-1"}""");
        Assert.Equal("unchanged", again["runs"]![0]!["outcome"]!.GetValue<string>());

        var cancelled = await BulkAsync(host.Client, """{"action": "cancel", "filter": {"q": "name ~ \"seed\""}}""");
        Assert.Equal(2, cancelled["outcomes"]!["done"]!.GetValue<int>());
        Assert.Equal("queued", (await host.GetJsonAsync($"/api/runs/{other}"))["status"]!.GetValue<string>());

        var archived = await BulkAsync(host.Client, """{"action": "archive", "filter": {"project": "bulk", "status": "cancelled"}}""");
        Assert.Equal(2, archived["outcomes"]!["done"]!.GetValue<int>());
        Assert.Empty(Ids(await host.GetJsonAsync("/api/runs?project=bulk")));

        // Archived runs are left out of a filter unless it asks for them, as in the list.
        var untagNone = await BulkAsync(host.Client, """{"action": "untag", "filter": {"project": "bulk"}, "tag": "sweep-1"}""");
        Assert.Equal(0, untagNone["selected"]!.GetValue<int>());
        var untagged = await BulkAsync(host.Client, """{"action": "untag", "filter": {"project": "bulk", "archived": "only"}, "tag": "sweep-1"}""");
        Assert.Equal(2, untagged["outcomes"]!["done"]!.GetValue<int>());

        var deleted = await BulkAsync(host.Client, $$"""{"action": "delete", "runs": [{{a}}, {{other}}, 999999]}""");
        Assert.Equal(["done", "stillActive", "notFound"], deleted["runs"]!.AsArray().Select(r => r!["outcome"]!.GetValue<string>()));
        Assert.Equal([a], (await host.GetJsonAsync("/api/trash")).AsArray().Select(r => r!["id"]!.GetValue<long>()));

        var compare = await BulkAsync(host.Client, """{"action": "compare", "filter": {"project": "bulk", "archived": "include"}}""");
        Assert.Equal(AppUrls.CompareRuns([b]), compare["compareUrl"]!.GetValue<string>());

        await using var context = host.Database.CreateDbContext();
        Assert.Equal(2, await context.AuditEntries.CountAsync(e => e.Action == AuditActions.Tag && e.Detail == "sweep-1"));
        Assert.Equal(2, await context.AuditEntries.CountAsync(e => e.Action == AuditActions.Untag));
        Assert.Equal(2, await context.AuditEntries.CountAsync(e => e.Action == AuditActions.Archive));
    }

    [Theory, SqliteData, PostgresData]
    public async Task AMembersBulkDelete_TrashesTheirOwnRuns_AndLeavesOthersAlone(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        using var max = await host.MemberClientAsync("max");
        var mine = await host.SubmitAsAsync("max", ApiHost.Config("max's", "shared"));
        var theirs = await host.SubmitAsAsync("ada", ApiHost.Config("ada's", "shared"));
        foreach (var id in new[] { mine, theirs }) Assert.Equal(CancelResult.Cancelled, await host.Leases.CancelAsync(id));

        var result = await BulkAsync(max, """{"action": "delete", "filter": {"project": "shared"}}""");

        Assert.Equal(new Dictionary<long, string> { [mine] = "done", [theirs] = "notYours" },
            result["runs"]!.AsArray().ToDictionary(r => r!["id"]!.GetValue<long>(), r => r!["outcome"]!.GetValue<string>()));
        Assert.Equal([theirs], Ids(await host.GetJsonAsync("/api/runs?project=shared")));

        // A read-only token may not act at all; a compare (a read) is still a POST, so it needs a writer too.
        using var reader = await host.MemberClientAsync("rita", TokenScope.Read);
        using var refused = await reader.PostAsync("/api/runs/bulk", Json($$"""{"action": "archive", "runs": [{{theirs}}]}"""));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Null((await host.GetJsonAsync($"/api/runs/{theirs}"))["archived"]);
    }

    [Theory, SqliteData, PostgresData]
    public async Task BadRequests_Are400sNamingTheField_AndChangeNothing(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var runId = await host.SubmitAsync(ApiHost.Config("untouched", "bulk-bad"));
        var tooMany = string.Join(", ", Enumerable.Range(1, 1001));

        foreach (var (body, field) in new[]
                 {
                     ("{}", "action"),
                     ($$"""{"action": "explode", "runs": [{{runId}}]}""", "action"),
                     ($$"""{"action": "3", "runs": [{{runId}}]}""", "action"),
                     ($$"""{"action": "tag", "runs": [{{runId}}]}""", "tag"),
                     ($$"""{"action": "tag", "runs": [{{runId}}], "tag": "{{new string('t', 101)}}"}""", "tag"),
                     ($$"""{"action": "untag", "runs": [{{runId}}], "tag": " "}""", "tag"),
                     ("""{"action": "archive"}""", "runs"),
                     ($$$"""{"action": "archive", "runs": [{{{runId}}}], "filter": {"project": "bulk-bad"}}""", "runs"),
                     ("""{"action": "archive", "runs": []}""", "runs"),
                     ($$"""{"action": "archive", "runs": [{{tooMany}}]}""", "runs"),
                     ("""{"action": "archive", "filter": {"q": "val/acc >"}}""", "filter.q"),
                     ("""{"action": "archive", "filter": {"status": "sleeping"}}""", "filter.status"),
                     ("""{"action": "archive", "filter": {"archived": "maybe"}}""", "filter.archived"),
                 })
        {
            using var response = await host.Client.PostAsync("/api/runs/bulk", Json(body));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {response.StatusCode}");
            var problem = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
            Assert.True(problem["errors"]?[field] is not null, $"{body}: {problem}");
        }
        using (var notJson = await host.Client.PostAsync("/api/runs/bulk", Json("{\"action\": ")))
            Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);

        var run = await host.GetJsonAsync($"/api/runs/{runId}");
        Assert.Equal((null, 0), ((string?)run["archived"]?.ToString(), run["tags"]!.AsArray().Count));
        await using var context = host.Database.CreateDbContext();
        Assert.Equal(0, await context.AuditEntries.CountAsync(e => e.Action == AuditActions.Archive || e.Action == AuditActions.Tag));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonNode> BulkAsync(HttpClient client, string json)
    {
        using var response = await client.PostAsync("/api/runs/bulk", Json(json));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{json}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private static List<long> Ids(JsonNode page) => page["items"]!.AsArray().Select(r => r!["id"]!.GetValue<long>()).ToList();
}
