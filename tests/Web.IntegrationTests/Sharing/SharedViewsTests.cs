using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Api;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;

namespace Tracker.Web.IntegrationTests.Sharing;

/// <summary>A run, a sweep and a paper table opened through their share links: the view, read-only, and nothing beside it.</summary>
public class SharedViewsTests
{
    // What the full pages offer and a shared view must not: every action and every way into the rest of the app.
    private static readonly string[] Actions =
        [">Share<", ">Cancel run<", ">Retry<", ">Clone<", ">Add tag<", ">Save notes<", ">Cancel unfinished runs<", ">Compare all<",
         ">Run the missing cells", "href=\"/runs", "href=\"/compare", "href=\"/paper"];

    private static async Task<string> ShareAsync(ApiHost host, string kind, string target) =>
        (await ShareLinksTests.ShareAsync(host, kind, target))["token"]!.GetValue<string>();

    private static void AssertNoActions(string page)
    {
        foreach (var action in Actions) Assert.DoesNotContain(action, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASharedRun_ShowsThatRun_WithNoActions()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var shared = await host.SubmitAsync(ApiHost.Config("shared-run"));
        await host.SubmitAsync(ApiHost.Config("private-run"));
        var token = await ShareAsync(host, "run", $"{shared}");

        var page = await host.Client.GetStringAsync($"/s/{token}");
        var full = await host.Client.GetStringAsync($"/runs/{shared}");

        Assert.Contains("shared-run", page, StringComparison.Ordinal);
        Assert.DoesNotContain("private-run", page, StringComparison.Ordinal);
        AssertNoActions(page);
        Assert.Contains(">Cancel run<", full, StringComparison.Ordinal); // the same view outside a share has them
    }

    [Fact]
    public async Task ASharedSweep_ListsItsRuns_WithNoActions()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var queue = host.App.Services.GetRequiredService<RunSubmission>();
        var sweep = await queue.SubmitSweepAsync([ApiHost.Config("sweep-a"), ApiHost.Config("sweep-b")]);
        await host.SubmitAsync(ApiHost.Config("not-in-sweep"));
        var token = await ShareAsync(host, "sweep", sweep.SweepId!);

        var page = await host.Client.GetStringAsync($"/s/{token}");

        Assert.Contains("sweep-a", page, StringComparison.Ordinal);
        Assert.Contains("sweep-b", page, StringComparison.Ordinal);
        Assert.DoesNotContain("not-in-sweep", page, StringComparison.Ordinal);
        AssertNoActions(page);
        var data = await host.GetJsonAsync($"/s/{token}/data?sweep=other");
        Assert.Equal(sweep.SweepId, data["sweep"]!["id"]!.GetValue<string>());
        Assert.Equal(sweep.RunIds, data["sweep"]!["runs"]!.AsArray().Select(r => r!["id"]!.GetValue<long>()).Order());
    }

    [Fact]
    public async Task ASharedPaperTable_ShowsThatTableAlone_WithItsPublishedNumbers()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var token = await ShareAsync(host, "paperTable", "late-basic");

        var page = await host.Client.GetStringAsync($"/s/{token}?table=early-basic");

        Assert.Contains("Late dropout, basic recipe", page, StringComparison.Ordinal);
        Assert.Contains("82.3", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Early dropout, basic recipe", page, StringComparison.Ordinal);
        AssertNoActions(page);
    }

    [Fact]
    public async Task APaperTableThatDoesNotExist_GetsNoLink()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);

        using var response = await host.Client.PostAsJsonAsync("/api/share", new { kind = "paperTable", target = "table-9" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no table 'table-9'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
