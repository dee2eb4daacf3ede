using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Api;

public class RunsApiTests
{
    [Theory, SqliteData, PostgresData]
    public async Task PostRun_ValidConfig_Returns201WithItsUrl_AndQueuesTheRun(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var config = ApiHost.Config("posted", "api-project", "baseline");

        using var response = await host.PostJsonAsync("/api/runs?priority=3", RunConfigJson.Serialize(config));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        var id = body["id"]!.GetValue<long>();
        Assert.Equal($"/runs/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal($"/runs/{id}", body["url"]!.GetValue<string>());
        Assert.Equal("queued", body["status"]!.GetValue<string>());
        await using var context = host.Database.CreateDbContext();
        var run = await context.Runs.Include(r => r.Project).SingleAsync();
        Assert.Equal((id, RunStatus.Queued, "posted", "api-project"), (run.Id, run.Status, run.Name, run.Project!.Name));
        Assert.Equal(RunConfigJson.Serialize(config), RunConfigJson.Serialize(run.Config));
        Assert.Equal(["baseline"], run.Tags);
        Assert.Equal(3, (await context.Jobs.SingleAsync()).Priority);
    }

    [Theory, SqliteData]
    public async Task PostRun_InvalidConfig_Returns400KeyedByField_AndStoresNothing(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var config = ApiHost.Config() with { Epochs = 0, Dropout = new DropSettings { Rate = 0.1, Mode = DropMode.Early } };

        using var response = await host.PostJsonAsync("/api/runs", RunConfigJson.Serialize(config));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject();
        Assert.Contains("epochs", errors.Select(e => e.Key));
        Assert.Contains("dropout.cutoffEpoch", errors.Select(e => e.Key));
        Assert.Contains("cutoff", errors["dropout.cutoffEpoch"]![0]!.GetValue<string>());
        await using var context = host.Database.CreateDbContext();
        Assert.Equal(0, await context.Runs.CountAsync());
        Assert.Equal(0, await context.Jobs.CountAsync());
    }

    [Theory]
    [InlineData("""{"name": "x", "dropout": {"mode": "sideways"}}""", "dropout.mode")]
    [InlineData("""{"name": "x", "epohcs": 3}""", "epohcs")]
    [InlineData("""{"name": "x", "epochs": "many"}""", "epochs")]
    [InlineData("""{"name": """, "line 1")]
    [InlineData("", "empty")]
    public async Task PostRun_MalformedJson_Returns400NamingTheProblem_AndStoresNothing(string body, string named)
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);

        using var response = await host.PostJsonAsync("/api/runs", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Contains(named, problem["detail"]!.GetValue<string>());
        await using var context = host.Database.CreateDbContext();
        Assert.Equal(0, await context.Runs.CountAsync());
    }

    [Theory, SqliteData, PostgresData]
    public async Task ListRuns_FiltersSortsAndPagesOnTheServer(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var alpha = await host.SubmitAsync(ApiHost.Config("alpha", "vision", "sweep"));
        var beta = await host.SubmitAsync(ApiHost.Config("beta", "vision"));
        var gamma = await host.SubmitAsync(ApiHost.Config("gamma", "vision", "sweep"));
        var delta = await host.SubmitAsync(ApiHost.Config("delta", "vision", "sweep") with { Dropout = new DropSettings { Rate = 0.1 } });
        var other = await host.SubmitAsync(ApiHost.Config("other", "text", "sweep"));
        await host.Leases.CancelAsync(beta);
        await host.Metrics.AppendAsync([Point(alpha, MetricKeys.ValAcc, 1, 0.70), Point(alpha, MetricKeys.ValAcc, 2, 0.80),
            Point(gamma, MetricKeys.ValAcc, 1, 0.90), Point(delta, MetricKeys.ValAcc, 1, 0.60), Point(delta, MetricKeys.ValLoss, 1, 1.5)]);

        var byAccuracy = await host.GetJsonAsync("/api/runs?project=vision&sort=valAcc&desc=true");
        Assert.Equal(4, byAccuracy["total"]!.GetValue<int>());
        Assert.Equal([gamma, alpha, delta, beta], Ids(byAccuracy)); // no val/acc goes last
        var alphaItem = byAccuracy["items"]![1]!;
        Assert.Equal(0.80, alphaItem["bestValAcc"]!.GetValue<double>());
        Assert.Equal(("alpha", "vision", "queued", 10), (alphaItem["name"]!.GetValue<string>(), alphaItem["project"]!.GetValue<string>(),
            alphaItem["status"]!.GetValue<string>(), alphaItem["epochs"]!.GetValue<int>()));
        Assert.Equal(1.5, byAccuracy["items"]![2]!["bestValLoss"]!.GetValue<double>());

        var tagged = await host.GetJsonAsync("/api/runs?tag=sweep&sort=name&pageSize=2&page=2");
        Assert.Equal((4, 2, 2), (tagged["total"]!.GetValue<int>(), tagged["page"]!.GetValue<int>(), tagged["pageSize"]!.GetValue<int>()));
        Assert.Equal([gamma, other], Ids(tagged));

        Assert.Equal([beta], Ids(await host.GetJsonAsync("/api/runs?status=cancelled")));
        var deltaMethod = (await host.GetJsonAsync($"/api/runs/{delta}"))["method"]!.GetValue<string>();
        Assert.Equal([delta], Ids(await host.GetJsonAsync($"/api/runs?method={Uri.EscapeDataString(deltaMethod)}")));
        Assert.Equal([other, delta, gamma, beta, alpha], Ids(await host.GetJsonAsync("/api/runs?desc=true")));
    }

    [Theory]
    [InlineData("status=sleeping")]
    [InlineData("sort=colour")]
    [InlineData("page=0")]
    [InlineData("pageSize=100000")]
    [InlineData("page=abc")]
    [InlineData("desc=maybe")]
    public async Task ListRuns_BadQuery_Returns400(string query)
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);

        using var response = await host.Client.GetAsync($"/api/runs?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task UnknownApiPath_Returns404Problem_NotThePage()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);

        using var response = await host.Client.GetAsync("/api/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Theory, SqliteData]
    public async Task GetRun_ReturnsConfigStatusAndSummaries(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var config = ApiHost.Config("detailed") with { Epochs = 4, Dropout = new DropSettings { Rate = 0.1, Mode = DropMode.Early, CutoffEpoch = 2 } };
        var id = await host.SubmitAsync(config);
        await host.Metrics.AppendAsync([Point(id, MetricKeys.TrainLoss, 1, 2.0), Point(id, MetricKeys.TrainLoss, 2, 0.5), Point(id, MetricKeys.TrainLoss, 3, 1.0)]);

        var run = await host.GetJsonAsync($"/api/runs/{id}");

        Assert.Equal((id, "detailed", "queued"), (run["id"]!.GetValue<long>(), run["name"]!.GetValue<string>(), run["status"]!.GetValue<string>()));
        Assert.Equal(RunConfigJson.Serialize(config), RunConfigJson.Serialize(RunConfigJson.Parse(run["config"]!.ToJsonString())));
        var loss = run["summaries"]![MetricKeys.TrainLoss]!;
        Assert.Equal((1.0, 0.5, 2.0, 3L), (loss["last"]!.GetValue<double>(), loss["min"]!.GetValue<double>(), loss["max"]!.GetValue<double>(), loss["count"]!.GetValue<long>()));
    }

    [Theory]
    [InlineData("GET", "/api/runs/424242")]
    [InlineData("GET", "/api/runs/424242/metrics")]
    [InlineData("POST", "/api/runs/424242/cancel")]
    public async Task UnknownRun_Returns404Problem(string method, string url)
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);

        using var response = await host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Contains("424242", problem["detail"]!.GetValue<string>());
    }

    [Theory, SqliteData, PostgresData]
    public async Task CancelRun_Queued_IsCancelled_ThenA409(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var id = await host.SubmitAsync(ApiHost.Config());

        using var cancelled = await host.Client.PostAsync($"/api/runs/{id}/cancel", null);
        using var again = await host.Client.PostAsync($"/api/runs/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", (await cancelled.Content.ReadFromJsonAsync<JsonNode>())!["status"]!.GetValue<string>());
        await using var context = host.Database.CreateDbContext();
        Assert.Equal(RunStatus.Cancelled, (await context.Runs.SingleAsync()).Status);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("Cancelled", (await again.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>());
    }

    [Theory, SqliteData]
    public async Task CancelRun_Running_Returns202_AndAsksItToStop(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var id = await host.SubmitAsync(ApiHost.Config());
        Assert.Equal(id, (await host.Leases.ClaimNextAsync("test-worker"))!.RunId);

        using var response = await host.Client.PostAsync($"/api/runs/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonNode>())!["stopRequested"]!.GetValue<bool>());
        Assert.Equal(Tracker.Web.Jobs.HeartbeatResult.CancelRequested, await host.Leases.HeartbeatAsync(id, "test-worker"));
    }

    internal static MetricPoint Point(long runId, string key, long step, double value) =>
        new() { RunId = runId, Key = key, Step = step, Epoch = (int)step, Value = value, Time = Runs.Created.AddSeconds(step) };

    private static List<long> Ids(JsonNode page) => page["items"]!.AsArray().Select(item => item!["id"]!.GetValue<long>()).ToList();
}
