using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Api;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Security;

namespace Tracker.Web.IntegrationTests.Workers;

/// <summary>
/// A claim that lists the worker's devices is placed by the scheduler (decision 0067): the run that fits and where, over
/// the real endpoint and database.
/// </summary>
public sealed class GpuPlacementApiTests : IAsyncLifetime
{
    private ApiHost _host = null!;
    private HttpClient _worker = null!;
    private long _workerId;

    public async Task InitializeAsync()
    {
        _host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var services = _host.App.Services;
        long adminId;
        using (var scope = services.CreateScope())
            adminId = (await scope.ServiceProvider.GetRequiredService<UserManager<TrackerUser>>().FindByNameAsync("admin"))!.Id;
        _worker = _host.App.CreateClient();
        _worker.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (await services.GetRequiredService<ApiTokens>().CreateAsync(adminId, "gpus", TokenScope.Worker, null)).Token);
        using var registered = await _worker.PostAsync("/api/workers/register",
            Json("""{"name": "two-gpus", "host": "gpu1", "devices": ["cuda:0", "cuda:1"], "slots": 8}"""));
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        _workerId = (await registered.Content.ReadFromJsonAsync<JsonNode>())!["workerId"]!.GetValue<long>();
    }

    public async Task DisposeAsync()
    {
        _worker.Dispose();
        await _host.DisposeAsync();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private Task<long> SubmitAsync(string name, GpuShare share) =>
        _host.SubmitAsync(ApiHost.Config(name) with { Resources = new ResourceSettings { Gpu = share } });

    private async Task<JsonNode?> ClaimAsync(string devices)
    {
        using var response = await _worker.PostAsync($"/api/workers/{_workerId}/claim", Json($$"""{"devices": {{devices}}}"""));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["run"];
    }

    private static string Load(int device, int slots, int shared, bool exclusive = false) =>
        $$"""{"device": "cuda:{{device}}", "slots": {{slots}}, "sharedRuns": {{shared}}, "holdsExclusive": {{(exclusive ? "true" : "false")}}}""";

    [Fact]
    public async Task AnExclusiveRun_GetsTheIdleGpu_AndASharedRun_TheLeastLoadedSlot()
    {
        var exclusive = await SubmitAsync("whole-gpu", GpuShare.Exclusive);
        var shared = await SubmitAsync("a-slot", GpuShare.Shared);

        var first = await ClaimAsync($"[{Load(0, 4, 1)}, {Load(1, 4, 0)}]");
        Assert.Equal((exclusive, "cuda:1", "exclusive"), (first!["runId"]!.GetValue<long>(), first["device"]!.GetValue<string>(), first["share"]!.GetValue<string>()));

        var second = await ClaimAsync($"[{Load(0, 4, 1)}, {Load(1, 4, 0, exclusive: true)}]");
        Assert.Equal((shared, "cuda:0", "shared"), (second!["runId"]!.GetValue<long>(), second["device"]!.GetValue<string>(), second["share"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AnExclusiveRunThatFitsNowhere_WaitsFirstInLine_AndKeepsItsGpuFromNewRuns()
    {
        var exclusive = await SubmitAsync("waits-for-a-gpu", GpuShare.Exclusive);
        var shared = await SubmitAsync("behind-it", GpuShare.Shared);

        // GPU 0 holds one shared run (the fewest): it is kept for the exclusive run; GPU 1 is held whole. Nothing fits.
        Assert.Null(await ClaimAsync($"[{Load(0, 4, 1)}, {Load(1, 4, 0, exclusive: true)}]"));
        // GPU 1 frees up first: the shared run may start there, and GPU 0 is still kept.
        var backfill = await ClaimAsync($"[{Load(0, 4, 1)}, {Load(1, 4, 2)}]");
        Assert.Equal((shared, "cuda:1"), (backfill!["runId"]!.GetValue<long>(), backfill["device"]!.GetValue<string>()));
        // GPU 0 drains: the exclusive run starts on it.
        var whole = await ClaimAsync($"[{Load(0, 4, 0)}, {Load(1, 4, 3)}]");
        Assert.Equal((exclusive, "cuda:0"), (whole!["runId"]!.GetValue<long>(), whole["device"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""[{"device": "", "slots": 1, "sharedRuns": 0, "holdsExclusive": false}]""", "devices[0].device")]
    [InlineData("""[{"device": "cuda:0", "slots": 0, "sharedRuns": 0, "holdsExclusive": false}]""", "devices[0].slots")]
    [InlineData("""[{"device": "cuda:0", "slots": 2, "sharedRuns": 3, "holdsExclusive": false}]""", "devices[0].sharedRuns")]
    public async Task ABadDeviceList_IsA400NamingTheField_AndClaimsNothing(string devices, string field)
    {
        var runId = await SubmitAsync("untouched", GpuShare.Shared);

        using var response = await _worker.PostAsync($"/api/workers/{_workerId}/claim", Json($$"""{"devices": {{devices}}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.NotNull(problem["errors"]![field]);
        Assert.Equal("queued", (await _host.GetJsonAsync($"/api/runs/{runId}"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheWorkersPage_ShowsTheRegisteredWorker_ItsDevicesAndTheRunItHolds_WithAdminActions()
    {
        var runId = await SubmitAsync("on-the-page", GpuShare.Shared);
        var claimed = await ClaimAsync($"[{Load(0, 2, 0)}, {Load(1, 2, 0)}]");
        Assert.Equal(runId, claimed!["runId"]!.GetValue<long>());

        using var response = await _host.Client.GetAsync("/workers");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("two-gpus", html, StringComparison.Ordinal);
        Assert.Contains("cuda:0, cuda:1", html, StringComparison.Ordinal);
        Assert.Contains("1 / 8", html, StringComparison.Ordinal);
        Assert.Contains("on-the-page", html, StringComparison.Ordinal);
        Assert.Contains("Drain two-gpus", html, StringComparison.Ordinal);
        // The queue names the worker that trains the run, not its lease id.
        using var queue = await _host.Client.GetAsync("/queue");
        var queueHtml = await queue.Content.ReadAsStringAsync();
        Assert.Contains("on two-gpus,", queueHtml, StringComparison.Ordinal);
        Assert.DoesNotContain($"worker:{_workerId}", queueHtml, StringComparison.Ordinal);
    }
}
