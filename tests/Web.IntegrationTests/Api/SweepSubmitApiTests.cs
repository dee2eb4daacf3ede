using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>POST /api/sweeps: grids and random searches queued through the API, and what it refuses.</summary>
public class SweepSubmitApiTests
{
    private static JsonObject Base(string name = "searched") => JsonNode.Parse(RunConfigJson.Serialize(ApiHost.Config(name) with { Epochs = 4 }))!.AsObject();

    private static JsonObject RandomBody(int seed, int maxRuns = 6) => new()
    {
        ["base"] = Base(),
        ["search"] = new JsonObject
        {
            ["parameters"] = new JsonArray(
                new JsonObject { ["path"] = "lr", ["kind"] = "logUniform", ["low"] = 1e-4, ["high"] = 1e-1 },
                new JsonObject { ["path"] = "dropout.rate", ["kind"] = "uniform", ["low"] = 0.0, ["high"] = 0.5 },
                new JsonObject { ["path"] = "batchSize", ["kind"] = "choice", ["choices"] = new JsonArray(32, 64, 128) },
                new JsonObject { ["path"] = "warmupEpochs", ["kind"] = "integer", ["low"] = 0, ["high"] = 2 }),
            ["seed"] = seed,
            ["maxRuns"] = maxRuns,
        },
        ["earlyStop"] = new JsonObject { ["metric"] = "val/acc", ["minRuns"] = 3, ["minEpoch"] = 2 },
    };

    private static async Task<(string SweepId, List<long> RunIds)> PostAsync(ApiHost host, JsonObject body)
    {
        using var response = await host.PostJsonAsync("/api/sweeps", body.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        var answer = JsonNode.Parse(text)!;
        var id = answer["id"]!.GetValue<string>();
        Assert.Equal(AppUrls.Sweep(id), answer["url"]!.GetValue<string>());
        Assert.Equal(AppUrls.Sweep(id), response.Headers.Location!.OriginalString);
        return (id, answer["runIds"]!.AsArray().Select(n => n!.GetValue<long>()).ToList());
    }

    private static async Task<List<RunConfig>> ConfigsAsync(ApiHost host, IEnumerable<long> runIds)
    {
        var ids = runIds.ToList();
        await using var context = host.Database.CreateDbContext();
        var runs = await context.Runs.AsNoTracking().Where(r => ids.Contains(r.Id)).ToListAsync();
        return ids.Select(id => runs.Single(r => r.Id == id).Config).ToList();
    }

    [Theory, SqliteData, PostgresData]
    public async Task RandomSearch_SameBodyTwice_QueuesTheSameConfigs_DrawnInsideTheSpace(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);

        var first = await PostAsync(host, RandomBody(seed: 11));
        var second = await PostAsync(host, RandomBody(seed: 11));
        var otherSeed = await PostAsync(host, RandomBody(seed: 12));

        Assert.NotEqual(first.SweepId, second.SweepId);
        Assert.Equal(6, first.RunIds.Count);
        var firstConfigs = await ConfigsAsync(host, first.RunIds);
        var secondConfigs = await ConfigsAsync(host, second.RunIds);
        Assert.Equal(firstConfigs.Select(c => RunConfigJson.Serialize(c)), secondConfigs.Select(c => RunConfigJson.Serialize(c)));
        Assert.Equal(Enumerable.Range(1, 6).Select(n => $"searched-r{n}"), firstConfigs.Select(c => c.Name));
        Assert.All(firstConfigs, c =>
        {
            Assert.InRange(c.Lr, 1e-4, 1e-1);
            Assert.InRange(c.Dropout.Rate, 0, 0.5);
            Assert.Contains(c.BatchSize, new[] { 32, 64, 128 });
            Assert.InRange(c.WarmupEpochs, 0, 2);
            Assert.Equal((4, KnownDatasets.Synthetic), (c.Epochs, c.Dataset));
        });
        // The runs differ from each other, and another seed draws other values.
        Assert.Equal(6, firstConfigs.Select(c => c.Lr).Distinct().Count());
        Assert.NotEqual(firstConfigs.Select(c => c.Lr), (await ConfigsAsync(host, otherSeed.RunIds)).Select(c => c.Lr));

        await using var context = host.Database.CreateDbContext();
        var sweep = await context.Sweeps.SingleAsync(s => s.Id == first.SweepId);
        Assert.Equal(("random", "val/acc", 3, 2), (sweep.Kind, sweep.EarlyStopMetric, sweep.EarlyStopMinRuns, sweep.EarlyStopMinEpoch));
        Assert.Equal(first.RunIds.Order(), await context.Runs.Where(r => r.SweepId == first.SweepId).Select(r => r.Id).OrderBy(id => id).ToListAsync());
        // The runs are the caller's (the bootstrap admin's token), and the audit log says who queued the sweep.
        Assert.Equal(["admin"], await context.Runs.Where(r => r.SweepId == first.SweepId).Select(r => r.Owner).Distinct().ToListAsync());
        Assert.Equal("admin", (await context.AuditEntries.SingleAsync(a => a.Target == $"sweep {first.SweepId}")).Actor);
        var page = await host.GetJsonAsync($"/api/sweeps/{first.SweepId}");
        Assert.Equal(first.RunIds, page["runs"]!.AsArray().Select(r => r!["id"]!.GetValue<long>()));
    }

    [Theory, SqliteData]
    public async Task Grid_QueuesMethodsTimesModelsTimesSeeds_WithoutEarlyStopping(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var body = new JsonObject
        {
            ["base"] = Base("grid"),
            ["grid"] = new JsonObject
            {
                ["methods"] = new JsonArray(Methods.NoDropout, Methods.EarlyDropout),
                ["models"] = new JsonArray(KnownModels.Mlp),
                ["seeds"] = new JsonArray(0, 1, 2),
            },
        };

        var (sweepId, runIds) = await PostAsync(host, body);

        var configs = await ConfigsAsync(host, runIds);
        Assert.Equal(["grid-no-dropout-mlp-s0", "grid-no-dropout-mlp-s1", "grid-no-dropout-mlp-s2",
            "grid-early-dropout-mlp-s0", "grid-early-dropout-mlp-s1", "grid-early-dropout-mlp-s2"], configs.Select(c => c.Name));
        Assert.Equal([0, 1, 2, 0, 1, 2], configs.Select(c => c.Seed));
        await using var context = host.Database.CreateDbContext();
        var sweep = await context.Sweeps.SingleAsync(s => s.Id == sweepId);
        Assert.Equal(("grid", (string?)null), (sweep.Kind, sweep.EarlyStopMetric));
    }

    [Theory, SqliteData, PostgresData]
    public async Task Grid_WithEarlyStop_StoresTheMedianRuleOnItsSweep(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var body = new JsonObject
        {
            ["base"] = Base("stopped-grid"),
            ["grid"] = new JsonObject { ["methods"] = new JsonArray(Methods.NoDropout), ["models"] = new JsonArray(KnownModels.Mlp), ["seeds"] = new JsonArray(0, 1, 2, 3) },
            ["earlyStop"] = new JsonObject { ["metric"] = MetricKeys.ValLoss, ["minRuns"] = 2, ["minEpoch"] = 3 },
        };

        var (sweepId, runIds) = await PostAsync(host, body);

        Assert.Equal(4, runIds.Count);
        await using var context = host.Database.CreateDbContext();
        var sweep = await context.Sweeps.SingleAsync(s => s.Id == sweepId);
        // SweepEarlyStopping reads the rule from here after each epoch of each run, whatever the sweep's kind.
        Assert.Equal(("grid", MetricKeys.ValLoss, 2, 3), (sweep.Kind, sweep.EarlyStopMetric, sweep.EarlyStopMinRuns, sweep.EarlyStopMinEpoch));
    }

    public static TheoryData<string, string, string> Mistakes => new()
    {
        { "a grid whose early-stopping metric is not recorded per epoch", """{"base": {"name": "x"}, "grid": {"methods": ["no dropout"], "models": ["mlp"], "seeds": [0, 1]}, "earlyStop": {"metric": "accuracy", "minRuns": 3, "minEpoch": 1}}""", "earlyStop.metric" },
        { "a negative base learning rate", """{"base": {"name": "x", "model": "mlp", "dataset": "synthetic", "lr": -1}, "search": {"parameters": [{"path": "dropout.rate", "kind": "uniform", "low": 0, "high": 0.5}], "seed": 1, "maxRuns": 3}}""", "base.lr" },
        { "a range whose low end is above its high end", """{"base": {"name": "x"}, "search": {"parameters": [{"path": "lr", "kind": "logUniform", "low": 1e-4, "high": 1e-2}, {"path": "dropout.rate", "kind": "uniform", "low": 0.6, "high": 0.1}], "seed": 1, "maxRuns": 3}}""", "search.parameters[1].low" },
        { "a log-uniform range from 0", """{"base": {"name": "x"}, "search": {"parameters": [{"path": "lr", "kind": "logUniform", "low": 0, "high": 1e-2}], "seed": 1, "maxRuns": 3}}""", "search.parameters[0].low" },
        { "a path the config does not have", """{"base": {"name": "x"}, "search": {"parameters": [{"path": "learningRate", "kind": "uniform", "low": 0.1, "high": 0.2}], "seed": 1, "maxRuns": 3}}""", "search.parameters[0].path" },
        { "a range that draws invalid configs", """{"base": {"name": "x"}, "search": {"parameters": [{"path": "dropout.rate", "kind": "uniform", "low": 0.5, "high": 3}], "seed": 1, "maxRuns": 20}}""", "search.parameters[0]" },
        { "an unknown kind", """{"base": {"name": "x"}, "search": {"parameters": [{"path": "lr", "kind": "gaussian", "low": 0.1, "high": 0.2}], "seed": 1, "maxRuns": 3}}""", "search.parameters[0].kind" },
        { "too many runs", """{"base": {"name": "x"}, "search": {"parameters": [{"path": "lr", "kind": "uniform", "low": 0.1, "high": 0.2}], "seed": 1, "maxRuns": 500}}""", "search.maxRuns" },
        { "a path searched twice", """{"base": {"name": "x"}, "search": {"parameters": [{"path": "lr", "kind": "uniform", "low": 0.1, "high": 0.2}, {"path": "lr", "kind": "choice", "choices": [0.1]}], "seed": 1, "maxRuns": 3}}""", "search.parameters[1].path" },
        { "a repeated grid seed", """{"base": {"name": "x"}, "grid": {"methods": ["no dropout"], "models": ["mlp"], "seeds": [1, 1]}}""", "grid.seeds" },
        { "an unknown grid method", """{"base": {"name": "x"}, "grid": {"methods": ["magic"], "models": ["mlp"], "seeds": [1]}}""", "grid.methods" },
        { "both a grid and a search", """{"base": {"name": "x"}, "grid": {"methods": ["no dropout"], "models": ["mlp"], "seeds": [1]}, "search": {"parameters": [], "seed": 1, "maxRuns": 1}}""", "search" },
        { "no base config", """{"search": {"parameters": [{"path": "lr", "kind": "uniform", "low": 0.1, "high": 0.2}], "seed": 1, "maxRuns": 3}}""", "base" },
        { "an early-stopping metric that is not recorded per epoch", """{"base": {"name": "x"}, "search": {"parameters": [{"path": "lr", "kind": "uniform", "low": 0.1, "high": 0.2}], "seed": 1, "maxRuns": 3}, "earlyStop": {"metric": "accuracy", "minRuns": 3, "minEpoch": 1}}""", "earlyStop.metric" },
        { "an early stop before epoch 1", """{"base": {"name": "x"}, "search": {"parameters": [{"path": "lr", "kind": "uniform", "low": 0.1, "high": 0.2}], "seed": 1, "maxRuns": 3}, "earlyStop": {"metric": "val/loss", "minRuns": 3, "minEpoch": 0}}""", "earlyStop.minEpoch" },
    };

    [Theory, MemberData(nameof(Mistakes))]
    public async Task InvalidSweep_Answers400NamingTheField_AndStoresNothing(string mistake, string body, string field)
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);

        using var response = await host.PostJsonAsync("/api/sweeps", body);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{mistake}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = JsonNode.Parse(text)!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"{mistake}: expected an error on '{field}', got {errors.ToJsonString()}");
        await using var context = host.Database.CreateDbContext();
        Assert.Equal((0, 0, 0), (await context.Runs.CountAsync(), await context.Sweeps.CountAsync(), await context.Jobs.CountAsync()));
    }

    [Fact]
    public async Task SweepOfAFineTuneFromAMissingRun_IsRefusedByTheQueue_AndLeavesNoSweepRow()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var body = RandomBody(seed: 3, maxRuns: 2);
        body["search"]!["parameters"] = new JsonArray(new JsonObject { ["path"] = "lr", ["kind"] = "logUniform", ["low"] = 1e-4, ["high"] = 1e-2 });
        body["base"]!["parentRunId"] = "999";

        using var response = await host.PostJsonAsync("/api/sweeps", body.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject();
        Assert.Contains(errors, e => e.Key.StartsWith("base.", StringComparison.Ordinal));
        await using var context = host.Database.CreateDbContext();
        Assert.Equal((0, 0), (await context.Runs.CountAsync(), await context.Sweeps.CountAsync()));
    }
}
