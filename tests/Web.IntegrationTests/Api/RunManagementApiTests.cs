using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>PATCH /api/runs/{id}: rename and archive; archived runs leave the lists unless asked for; a clone's name.</summary>
public class RunManagementApiTests
{
    [Theory, SqliteData, PostgresData]
    public async Task Rename_ChangesTheListedNameAndTheConfigsName(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var runId = await host.SubmitAsync(ApiHost.Config("old name", "rename"));

        using var response = await PatchAsync(host, runId, """{"name": "  lr 3e-4, seed 1  "}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("lr 3e-4, seed 1", (await response.Content.ReadFromJsonAsync<JsonNode>())!["name"]!.GetValue<string>());
        var run = await host.GetJsonAsync($"/api/runs/{runId}");
        Assert.Equal(("lr 3e-4, seed 1", "lr 3e-4, seed 1"), (run["name"]!.GetValue<string>(), run["config"]!["name"]!.GetValue<string>()));
        Assert.Equal(["lr 3e-4, seed 1"], Names(await host.GetJsonAsync("/api/runs?project=rename")));
        await using var context = host.Database.CreateDbContext();
        var entry = await context.AuditEntries.SingleAsync(e => e.Action == AuditActions.Rename);
        Assert.Equal(("admin", $"run {runId}", "lr 3e-4, seed 1"), (entry.Actor, entry.Target, entry.Detail));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Archiving_HidesTheRunFromTheList_AndTheArchivedFilterShowsIt(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var old = await host.SubmitAsync(ApiHost.Config("old", "archive"));
        await host.SubmitAsync(ApiHost.Config("current", "archive"));

        using (var archived = await PatchAsync(host, old, """{"archived": true}"""))
        {
            Assert.Equal(HttpStatusCode.OK, archived.StatusCode);
            Assert.NotNull((await archived.Content.ReadFromJsonAsync<JsonNode>())!["archived"]);
        }

        var hidden = await host.GetJsonAsync("/api/runs?project=archive");
        Assert.Equal(["current"], Names(hidden));
        Assert.Equal(1, hidden["total"]!.GetValue<int>());
        Assert.Equal(["current", "old"], Names(await host.GetJsonAsync("/api/runs?project=archive&archived=include&sort=name")));
        var only = await host.GetJsonAsync("/api/runs?project=archive&archived=only");
        Assert.Equal(["old"], Names(only));
        Assert.NotNull(only["items"]![0]!["archived"]);
        Assert.Equal("old", (await host.GetJsonAsync($"/api/runs/{old}"))["name"]!.GetValue<string>()); // still opens by id

        using (var back = await PatchAsync(host, old, """{"archived": false}"""))
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal(["current", "old"], Names(await host.GetJsonAsync("/api/runs?project=archive&sort=name")));
        Assert.Empty(Names(await host.GetJsonAsync("/api/runs?project=archive&archived=only")));
    }

    [Theory, SqliteData, PostgresData]
    public async Task BadChanges_Are400sNamingTheField_AndStoreNothing(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var runId = await host.SubmitAsync(ApiHost.Config("unchanged", "bad"));

        foreach (var (body, field) in new[]
                 {
                     ("{}", "body"), ("""{"name": "   "}""", "name"), ($$"""{"name": "{{new string('n', 201)}}", "archived": true}""", "name"),
                     ("""{"name": "a\u0000b"}""", "name"),
                 })
        {
            using var response = await PatchAsync(host, runId, body);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {response.StatusCode}");
            var problem = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
            Assert.True(problem["errors"]?[field] is not null, $"{body}: {problem}");
        }
        using (var notJson = await PatchAsync(host, runId, "{\"name\": "))
            Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        using (var badFilter = await host.Client.GetAsync("/api/runs?archived=maybe"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badFilter.StatusCode);
            Assert.Contains("archived", await badFilter.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var unknown = await PatchAsync(host, 999_999, """{"name": "x"}"""))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var run = await host.GetJsonAsync($"/api/runs/{runId}");
        Assert.Equal("unchanged", run["name"]!.GetValue<string>());
        Assert.Null(run["archived"]);
        await using var context = host.Database.CreateDbContext();
        Assert.Equal(0, await context.AuditEntries.CountAsync(e => e.Action == AuditActions.Rename || e.Action == AuditActions.Archive));
    }

    [Theory, SqliteData, PostgresData]
    public async Task AClone_IsNamedAfterItsSource_WithTheNextFreeNumber(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var source = await host.SubmitAsync(ApiHost.Config("baseline"));
        foreach (var name in new[] { "baseline (2)", "baseline x (9)", "other (7)", "100% (a)" })
            await host.SubmitAsync(ApiHost.Config(name));
        await using var context = host.Database.CreateDbContext();

        // The run page's "Clone" opens the form filled from the run, under the copy's name.
        var form = await host.Client.GetStringAsync($"/runs/new?from={source}");
        Assert.Contains("value=\"baseline (3)\"", form, StringComparison.Ordinal);

        Assert.Equal("baseline (3)", await RunNames.CopyNameAsync(context, "baseline"));
        Assert.Equal("baseline (3)", await RunNames.CopyNameAsync(context, "baseline (2)"));
        Assert.Equal("fresh (2)", await RunNames.CopyNameAsync(context, "fresh"));
        Assert.Equal("other (8)", await RunNames.CopyNameAsync(context, "other (7)"));
        Assert.Equal("100% (a) (2)", await RunNames.CopyNameAsync(context, "100% (a)"));
        var longName = new string('x', RunConfigValidator.MaxNameLength);
        var longCopy = await RunNames.CopyNameAsync(context, longName);
        Assert.Equal((RunConfigValidator.MaxNameLength, true), (longCopy.Length, longCopy.EndsWith(" (2)", StringComparison.Ordinal)));
    }

    private static Task<HttpResponseMessage> PatchAsync(ApiHost host, long runId, string json) =>
        host.Client.PatchAsync($"/api/runs/{runId}", new StringContent(json, Encoding.UTF8, "application/json"));

    private static List<string> Names(JsonNode page) => page["items"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
}
