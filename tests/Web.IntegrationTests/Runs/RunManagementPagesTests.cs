using System.Text.RegularExpressions;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Api;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;

namespace Tracker.Web.IntegrationTests.RunManagement;

/// <summary>The pages of run management as the server first renders them: empty states, the seed and chosen columns, the trash.</summary>
public partial class RunManagementPagesTests
{
    [Theory, SqliteData]
    public async Task AnEmptyTracker_SaysToStartARun_OnTheHomePageAndTheRunsList(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);

        var home = await host.Client.GetStringAsync(AppUrls.Home);
        var runs = await host.Client.GetStringAsync(AppUrls.Runs);

        Assert.Contains("data-testid=\"home-empty\"", home, StringComparison.Ordinal);
        Assert.Matches($"href=\"{AppUrls.NewRun}\"[^>]*>[\\s\\S]*?Start a run", home);
        Assert.Contains("data-testid=\"runs-empty\"", runs, StringComparison.Ordinal);
        Assert.Contains("Start a run", runs, StringComparison.Ordinal);

        await host.SubmitAsync(ApiHost.Config("first", "empty"));
        Assert.DoesNotContain("home-empty", await host.Client.GetStringAsync(AppUrls.Home), StringComparison.Ordinal);
        Assert.DoesNotContain("runs-empty", await host.Client.GetStringAsync(AppUrls.Runs), StringComparison.Ordinal);
        // A filter that matches nothing is no reason to start a run.
        var filtered = await host.Client.GetStringAsync($"{AppUrls.Runs}?project=nothing-here");
        Assert.Contains("No runs match.", filtered, StringComparison.Ordinal);
        Assert.DoesNotContain("runs-empty", filtered, StringComparison.Ordinal);
    }

    [Theory, SqliteData]
    public async Task TheRunsList_ShowsEachRunsSeed_AndTheColumnsChosenInTheUrl(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var one = await host.SubmitAsync(ApiHost.Config("twin", "seeds") with { Seed = 11, Lr = 0.003 });
        var two = await host.SubmitAsync(ApiHost.Config("twin", "seeds") with { Seed = 12, Lr = 0.004 });
        await host.Metrics.AppendAsync([
            RunsApiTests.Point(one, MetricKeys.ValAcc, 1, 60), RunsApiTests.Point(one, MetricKeys.ValAcc, 2, 71.25),
            RunsApiTests.Point(two, MetricKeys.ValAcc, 1, 64.5),
        ]);

        var page = await host.Client.GetStringAsync($"{AppUrls.Runs}?project=seeds&cols=config:lr,metric:val/acc,config:nonsense");

        Assert.Equal(["12", "11"], SeedCells().Matches(page).Select(m => m.Groups[1].Value));
        Assert.Contains(">Learning rate</th>", page, StringComparison.Ordinal);
        Assert.Contains(">val/acc (best)</th>", page, StringComparison.Ordinal);
        var cells = ChosenCells().Matches(page).Select(m => m.Groups[1].Value.Trim()).ToList();
        Assert.Equal(["0.004", "64.5", "0.003", "71.25"], cells);
        // The columns are part of the view: saving it keeps them.
        Assert.Contains("cols=config%3Alr%2Cmetric%3Aval%2Facc", Tracker.Web.Features.Runs.RunsListState.FromQuery(
            null, "seeds", null, null, null, null, null, null, columns: "config:lr,metric:val/acc").ToQueryString(withPage: false), StringComparison.Ordinal);
    }

    [Theory, SqliteData]
    public async Task TheTrashPage_ListsDeletedRuns_WithARestoreButton(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        Assert.Contains("data-testid=\"trash-empty\"", await host.Client.GetStringAsync(AppUrls.Trash), StringComparison.Ordinal);
        var runId = await host.SubmitAsync(ApiHost.Config("binned", "trash-page"));
        Assert.Equal(CancelResult.Cancelled, await host.Leases.CancelAsync(runId));
        using (var deleted = await host.Client.DeleteAsync($"/api/runs/{runId}"))
            Assert.True(deleted.IsSuccessStatusCode);

        var page = await host.Client.GetStringAsync(AppUrls.Trash);

        Assert.Contains($"href=\"{AppUrls.Run(runId)}\">binned</a>", page, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"Restore binned\"", page, StringComparison.Ordinal);
        Assert.Contains("Empty trash", page, StringComparison.Ordinal); // the test client is an admin
    }

    [GeneratedRegex("data-testid=\"seed\"[^>]*>([^<]*)<")]
    private static partial Regex SeedCells();

    [GeneratedRegex("<td[^>]*chosen-column[^>]*>([^<]*)<")]
    private static partial Regex ChosenCells();
}
