using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Api;

public class RunEventsApiTests
{
    [Theory, SqliteData, PostgresData]
    public async Task Events_AfterASequence_AreTheStoredOnesInOrder_EachWithItsSeqAndType(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var runId = await host.SubmitAsync(ApiHost.Config());
        var store = host.App.Services.GetRequiredService<RunEventStore>();
        await store.StoreAsync(runId, [
            new RunStartedEvent { Seq = 1, Config = ApiHost.Config(), Device = "cpu", ParameterCount = 5 },
            new StepEvent { Seq = 2, Step = 1, Epoch = 1, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = double.NaN } },
            new EpochEvent { Seq = 3, Step = 2, Epoch = 1, EpochSeconds = 0.5, Metrics = new Dictionary<string, double> { [MetricKeys.ValAcc] = 61.5 } },
        ]);

        var all = (await host.GetJsonAsync($"/api/runs/{runId}/events")).AsArray();
        var after = (await host.GetJsonAsync($"/api/runs/{runId}/events?after=1")).AsArray();
        var page = (await host.GetJsonAsync($"/api/runs/{runId}/events?after=1&limit=1")).AsArray();

        Assert.Equal([1L, 2L, 3L], all.Select(e => e!["seq"]!.GetValue<long>()));
        Assert.Equal(["run-started", "step", "epoch"], all.Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal([2L, 3L], after.Select(e => e!["seq"]!.GetValue<long>()));
        Assert.Equal("NaN", after[0]!["metrics"]![MetricKeys.TrainLoss]!.GetValue<string>());
        Assert.Equal(61.5, after[1]!["metrics"]![MetricKeys.ValAcc]!.GetValue<double>());
        Assert.Equal([2L], page.Select(e => e!["seq"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Events_OfAnUnknownRunOrAfterANegativeSeq_AreProblems()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var runId = await host.SubmitAsync(ApiHost.Config());

        using var unknown = await host.Client.GetAsync("/api/runs/999/events");
        using var negative = await host.Client.GetAsync($"/api/runs/{runId}/events?after=-1");
        using var tooMany = await host.Client.GetAsync($"/api/runs/{runId}/events?limit=100000");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Equal("application/problem+json", negative.Content.Headers.ContentType?.MediaType);
        Assert.Contains("after", (await negative.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Empty((await host.GetJsonAsync($"/api/runs/{runId}/events")).AsArray()); // a queued run has no events yet
    }
}
