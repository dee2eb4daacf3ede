using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Security;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>The ingest API a script logs through (decision 0040): make a run, append numbered batches, finish it.</summary>
public sealed class ScriptRunsApiTests
{
    private static async Task<long> CreateAsync(HttpClient client, string json)
    {
        using var response = await client.PostAsync("/api/runs/external", Json(json));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var created = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal(1, created["nextSeq"]!.GetValue<long>());
        return created["id"]!.GetValue<long>();
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static Task<HttpResponseMessage> PostBatchAsync(HttpClient client, long runId, string json) =>
        client.PostAsync($"/api/runs/{runId}/points", Json(json));

    private static async Task<List<MetricPoint>> PointsAsync(ApiHost host, long runId)
    {
        await using var context = host.Database.CreateDbContext();
        return await context.MetricPoints.AsNoTracking().Where(p => p.RunId == runId).OrderBy(p => p.Key).ThenBy(p => p.Step).ToListAsync();
    }

    private static async Task<Run> RunAsync(ApiHost host, long runId)
    {
        await using var context = host.Database.CreateDbContext();
        return await context.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
    }

    [Theory, SqliteData, PostgresData]
    public async Task CreateLogAndFinish_StoresTheExactValues_AndTheKnownConfigFields(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var runId = await CreateAsync(host.Client, """
            {"name": "vit-early-s0", "project": "dropout", "tags": ["paper:early-basic"],
             "config": {"lr": 0.003, "model": "vit-nano", "dataset": "fashion-mnist", "dropout": {"rate": 0.1, "mode": "early", "cutoffEpoch": 2},
                        "epochs": "many", "batchSize": -5, "myOwn": {"anything": [1, 2]}}}
            """);

        using (var first = await PostBatchAsync(host.Client, runId, """
            {"seq": 1, "points": [
              {"key": "train/loss", "step": 1, "value": 0.12345678901234567},
              {"key": "train/loss", "step": 2, "epoch": 1, "value": 1e-300, "time": "2026-11-28T10:00:00Z"},
              {"key": "lr", "step": 1, "value": "Infinity"}]}
            """))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var ack = (await first.Content.ReadFromJsonAsync<JsonNode>())!;
            Assert.Equal((1L, false), (ack["ackedSeq"]!.GetValue<long>(), ack["duplicate"]!.GetValue<bool>()));
        }
        using (var second = await PostBatchAsync(host.Client, runId, """{"seq": 2, "points": [{"key": "val/acc", "step": 2, "epoch": 1, "value": 81.3}]}"""))
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        using (var finished = await host.Client.PostAsync($"/api/runs/{runId}/finish", Json("""{"status": "succeeded"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
            Assert.Equal(3, (await finished.Content.ReadFromJsonAsync<JsonNode>())!["ackedSeq"]!.GetValue<long>());
        }

        var points = await PointsAsync(host, runId);
        Assert.Equal(
            [("lr", 1L, double.PositiveInfinity), ("train/loss", 1L, 0.12345678901234567), ("train/loss", 2L, 1e-300), ("val/acc", 2L, 81.3)],
            points.Select(p => (p.Key, p.Step, p.Value)).ToList());
        Assert.Equal(new DateTime(2026, 11, 28, 10, 0, 0, DateTimeKind.Utc), points.Single(p => p.Key == "train/loss" && p.Step == 2).Time);
        var run = await RunAsync(host, runId);
        Assert.True(run.LoggedByScript);
        Assert.Equal((RunStatus.Succeeded, 3L, 1), (run.Status, run.StoredSeq, run.EpochsCompleted));
        // Known and valid fields fill the columns; the wrong ones keep the defaults; the script's own config is kept whole.
        Assert.Equal((0.003, "vit-nano", "fashion-mnist", 0.1, "early", 2), (run.Lr, run.Model, run.Dataset, run.DropoutRate, run.DropoutMode, run.DropoutCutoffEpoch));
        Assert.Equal((new RunConfig().Epochs, new RunConfig().BatchSize), (run.Epochs, run.BatchSize));
        Assert.Equal("early dropout", run.Method);
        Assert.Equal(["paper:early-basic"], run.Tags);
        var detail = await host.GetJsonAsync($"/api/runs/{runId}");
        Assert.True(detail["loggedByScript"]!.GetValue<bool>());
        Assert.Equal(2, detail["scriptConfig"]!["myOwn"]!["anything"]![1]!.GetValue<int>());
        Assert.Equal("many", detail["scriptConfig"]!["epochs"]!.GetValue<string>());
        Assert.Contains("not a run config the queue can train", detail["notQueueable"]!.GetValue<string>(), StringComparison.Ordinal);

        // Finishing again with the same status changes nothing; a batch after the end is refused, a resend of an old one is not.
        using (var again = await host.Client.PostAsync($"/api/runs/{runId}/finish", Json("{}")))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using (var otherStatus = await host.Client.PostAsync($"/api/runs/{runId}/finish", Json("""{"status": "failed"}""")))
            Assert.Equal(HttpStatusCode.Conflict, otherStatus.StatusCode);
        using (var late = await PostBatchAsync(host.Client, runId, """{"seq": 3, "points": [{"key": "x", "step": 9, "value": 1}]}"""))
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        using (var resent = await PostBatchAsync(host.Client, runId, """{"seq": 2, "points": [{"key": "val/acc", "step": 2, "epoch": 1, "value": 81.3}]}"""))
            Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        Assert.Equal(4, (await PointsAsync(host, runId)).Count);
    }

    [Theory, SqliteData, PostgresData]
    public async Task AResentBatch_IsANoOp_AndAGap_Is409NamingTheExpectedBatch(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var runId = await CreateAsync(host.Client, """{"name": "resend"}""");
        const string batch = """{"seq": 1, "points": [{"key": "train/loss", "step": 1, "value": 0.5}, {"key": "train/loss", "step": 2, "value": 0.4}]}""";
        using (var first = await PostBatchAsync(host.Client, runId, batch)) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var resent = await PostBatchAsync(host.Client, runId, batch))
        {
            Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
            Assert.True((await resent.Content.ReadFromJsonAsync<JsonNode>())!["duplicate"]!.GetValue<bool>());
        }
        Assert.Equal(2, (await PointsAsync(host, runId)).Count);

        using var gap = await PostBatchAsync(host.Client, runId, """{"seq": 3, "points": [{"key": "train/loss", "step": 3, "value": 0.3}]}""");
        Assert.Equal(HttpStatusCode.Conflict, gap.StatusCode);
        var problem = (await gap.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal(2, problem["expectedSeq"]!.GetValue<long>());
        Assert.Contains("send batch 2 next, not 3", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2, (await PointsAsync(host, runId)).Count);
        Assert.Equal(1, (await RunAsync(host, runId)).StoredSeq);
    }

    [Theory, SqliteData, PostgresData]
    public async Task ABatchThatOvertakesTheOneBeforeIt_WaitsForIt_AndBothAreStoredInOrder(DatabaseProvider provider)
    {
        // Two batches in flight (the Python client's way): the second may reach the store first.
        await using var host = await ApiHost.StartAsync(provider);
        var runId = await CreateAsync(host.Client, """{"name": "two in flight"}""");
        var second = PostBatchAsync(host.Client, runId, """{"seq": 2, "points": [{"key": "train/loss", "step": 2, "value": 0.4}]}""");
        await Task.Delay(300);
        Assert.False(second.IsCompleted, "batch 2 waits for batch 1");
        using (var first = await PostBatchAsync(host.Client, runId, """{"seq": 1, "points": [{"key": "train/loss", "step": 1, "value": 0.5}]}"""))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var answer = await second)
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(2, (await answer.Content.ReadFromJsonAsync<JsonNode>())!["ackedSeq"]!.GetValue<long>());
        }
        Assert.Equal([(1L, 0.5), (2L, 0.4)], (await PointsAsync(host, runId)).Select(p => (p.Step, p.Value)).ToList());
        Assert.Equal(2, (await RunAsync(host, runId)).StoredSeq);
    }

    [Theory, SqliteData, PostgresData]
    public async Task ABadBatch_Is400NamingTheField_AndStoresNothingOfIt(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var runId = await CreateAsync(host.Client, """{"name": "bad"}""");
        (string Body, string Field)[] bad =
        [
            ("""{"seq": 1, "points": [{"key": "a", "step": 1, "value": 1}, {"key": "", "step": 2, "value": 2}]}""", "points[1].key"),
            ("""{"seq": 1, "points": [{"key": "a", "step": 1, "value": 1}, {"key": "b", "step": 2, "value": "high"}]}""", "points[1].value"),
            ("""{"seq": 1, "points": [{"key": "a", "step": 1}]}""", "value"),
            ("""{"seq": 1, "points": [{"key": "a", "step": -1, "value": 1}]}""", "points[0].step"),
            ("""{"seq": 1, "points": [{"key": "a", "step": 1, "value": 1}, {"key": "a", "step": 1, "value": 2}]}""", "points[1].key"),
            ("""{"seq": 1, "points": [{"key": "a", "step": 1, "value": 1, "colour": "red"}]}""", "colour"),
            ("""{"seq": 0, "points": []}""", "seq"),
            ("""{"seq": 1, "points": [{"key": "a", "step": 1, "value": 1}""", "line 1"),
        ];
        foreach (var (body, field) in bad)
        {
            using var response = await PostBatchAsync(host.Client, runId, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(field, text, StringComparison.Ordinal);
        }
        Assert.Empty(await PointsAsync(host, runId));
        Assert.Equal(0, (await RunAsync(host, runId)).StoredSeq);

        using var badRun = await host.Client.PostAsync("/api/runs/external", Json("""{"name": " ", "tags": [""]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, badRun.StatusCode);
        var errors = (await badRun.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject();
        Assert.Equal(["name", "tags[0]"], errors.Select(e => e.Key).Order().ToList());
    }

    [Theory, SqliteData, PostgresData]
    public async Task OnlyTheOwnerFeedsARun_AndAWriteTokenIsNeededToMakeOne(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        using (var created = await host.Client.PostAsJsonAsync("/api/users", new { userName = "max", password = "a long enough password", role = Roles.Member }))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var tokens = host.App.Services.GetRequiredService<ApiTokens>();
        var max = (await tokens.CreateAsync(await UserIdAsync(host, "max"), "script", TokenScope.Write, null)).Token;
        var maxReads = (await tokens.CreateAsync(await UserIdAsync(host, "max"), "reader", TokenScope.Read, null)).Token;
        using var maxClient = TestAuth.Authorize(host.App.CreateClient(), max);
        using var readClient = TestAuth.Authorize(host.App.CreateClient(), maxReads);

        var adminsRun = await CreateAsync(host.Client, """{"name": "admin's"}""");
        using (var refused = await PostBatchAsync(maxClient, adminsRun, """{"seq": 1, "points": [{"key": "a", "step": 1, "value": 1}]}"""))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("belongs to someone else", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var refusedFinish = await maxClient.PostAsync($"/api/runs/{adminsRun}/finish", Json("{}")))
            Assert.Equal(HttpStatusCode.Forbidden, refusedFinish.StatusCode);
        using (var readOnly = await readClient.PostAsync("/api/runs/external", Json("""{"name": "reader's"}""")))
            Assert.Equal(HttpStatusCode.Forbidden, readOnly.StatusCode);
        Assert.Equal(0, (await RunAsync(host, adminsRun)).StoredSeq);

        var maxsRun = await CreateAsync(maxClient, """{"name": "max's"}""");
        Assert.Equal("max", (await RunAsync(host, maxsRun)).Owner);
        using (var own = await PostBatchAsync(maxClient, maxsRun, """{"seq": 1, "points": [{"key": "a", "step": 1, "value": 1}]}"""))
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        // An admin may feed anyone's run; a queued run takes no logged points at all.
        using (var byAdmin = await PostBatchAsync(host.Client, maxsRun, """{"seq": 2, "points": [{"key": "a", "step": 2, "value": 2}]}"""))
            Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        var queued = await host.SubmitAsync(ApiHost.Config("queued"));
        using (var intoQueued = await PostBatchAsync(host.Client, queued, """{"seq": 1, "points": [{"key": "a", "step": 1, "value": 1}]}"""))
            Assert.Equal(HttpStatusCode.Conflict, intoQueued.StatusCode);
    }

    private static async Task<long> UserIdAsync(ApiHost host, string name)
    {
        await using var context = host.Database.CreateDbContext();
        return await context.Users.Where(u => u.UserName == name).Select(u => u.Id).SingleAsync();
    }

    [Theory, SqliteData, PostgresData]
    public async Task AScriptRun_IsListed_ShownOnItsPage_AnnouncedLive_AndKeepsItsFiles(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var runId = await CreateAsync(host.Client, """{"name": "my-script-run", "project": "scripts", "config": {"lr": 0.01}}""");
        await using var live = await RunEventsClient.ConnectAsync(host.App.Server.BaseAddress, host.App.Server.HubTransport());
        await live.JoinAfterAsync(runId, 0);
        using (var batch = await PostBatchAsync(host.Client, runId, """{"seq": 1, "points": [{"key": "val/acc", "step": 5, "epoch": 1, "value": 77.5}]}"""))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var (message, liveRunId, announced) = await live.NextAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((nameof(IRunsClient.PointsLogged), runId), (message, liveRunId));
        Assert.Equal(77.5, Assert.IsType<PointsEvent>(announced).Points.Single().Value);

        var list = await host.GetJsonAsync("/api/runs?project=scripts");
        var item = Assert.Single(list["items"]!.AsArray())!;
        Assert.Equal((runId, true, "running"), (item["id"]!.GetValue<long>(), item["loggedByScript"]!.GetValue<bool>(), item["status"]!.GetValue<string>()));
        var page = await host.Client.GetStringAsync($"/runs/{runId}");
        Assert.Contains("my-script-run", page, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"logged-by-script\"", page, StringComparison.Ordinal);

        using (var attached = await host.Client.PutAsync($"/api/runs/{runId}/files/notes.txt", new ByteArrayContent("hello"u8.ToArray())))
            Assert.Equal(HttpStatusCode.Created, attached.StatusCode);
        Assert.Equal("hello", await host.Client.GetStringAsync($"/api/runs/{runId}/files/notes.txt"));
        using (var badName = await host.Client.PutAsync($"/api/runs/{runId}/files/..secret", new ByteArrayContent([1])))
            Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        using (var cancel = await host.Client.PostAsync($"/api/runs/{runId}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
            Assert.Contains("logged by a script", await cancel.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task ATaggedScriptRun_IsInItsPaperTable_AndInComparisons(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var runId = await CreateAsync(host.Client, """
            {"name": "vit-early-s0", "tags": ["paper:early-basic"],
             "config": {"model": "vit-nano", "dataset": "fashion-mnist", "seed": 3, "dropout": {"rate": 0.1, "mode": "early", "cutoffEpoch": 5}}}
            """);
        using (var batch = await PostBatchAsync(host.Client, runId, """
            {"seq": 1, "points": [{"key": "val/acc", "step": 100, "epoch": 1, "value": 70.25}, {"key": "val/acc", "step": 200, "epoch": 2, "value": 80.5},
                                  {"key": "train/loss", "step": 200, "epoch": 2, "value": 0.375}]}
            """))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        using (var finished = await host.Client.PostAsync($"/api/runs/{runId}/finish", Json("{}"))) Assert.Equal(HttpStatusCode.OK, finished.StatusCode);

        await using (var context = host.Database.CreateDbContext())
        {
            var paperRun = Assert.Single(await Tracker.Web.Features.Paper.PaperQueries.TaggedRunsAsync(context, ["paper:early-basic"], CancellationToken.None));
            Assert.Equal((runId, "early dropout", "vit-nano", "fashion-mnist", RunStatus.Succeeded, 3, 80.5, 0.375),
                (paperRun.Id, paperRun.Method, paperRun.Model, paperRun.Dataset, paperRun.Status, paperRun.Seed, paperRun.FinalValAcc, paperRun.FinalTrainLoss));
        }
        using var csv = await host.Client.GetAsync($"/api/compare.csv?runs={runId}&metrics=val/acc&x=step");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["100,70.25", "200,80.5"], lines.Skip(1).Select(l => string.Join(',', l.Split(',')[3..5])).ToList());
        Assert.Contains("vit-early-s0", await host.Client.GetStringAsync($"/compare?runs={runId}"), StringComparison.Ordinal);
    }

    [Theory, SqliteData]
    public async Task AScriptRun_IsRetriedOrCloned_OnlyWhenItsConfigIsAWholeRunConfig(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var freeForm = await CreateAsync(host.Client, """{"name": "free", "config": {"lr": 0.01, "myOwn": 1}}""");
        var whole = await CreateAsync(host.Client, """{"name": "whole", "config": {"model": "mlp", "dataset": "synthetic", "epochs": 2, "device": "cpu"}}""");
        foreach (var id in new[] { freeForm, whole })
            using (var failed = await host.Client.PostAsync($"/api/runs/{id}/finish", Json("""{"status": "failed", "error": "oom"}""")))
                Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        Assert.Equal("oom", (await RunAsync(host, whole)).Error);

        var refused = await host.Submission.RetryAsync(freeForm);
        Assert.Null(refused.RunId);
        Assert.Contains("'myOwn'", Assert.Single(refused.Errors).Message, StringComparison.Ordinal);
        var retried = await host.Submission.RetryAsync(whole);
        Assert.Empty(retried.Errors);
        var queued = await RunAsync(host, retried.RunId!.Value);
        Assert.Equal((RunStatus.Queued, false, "whole", 2), (queued.Status, queued.LoggedByScript, queued.Name, queued.Epochs));
    }

    private static async Task<List<Run>> RunsKeyedAsync(ApiHost host, string clientKey)
    {
        await using var context = host.Database.CreateDbContext();
        return await context.Runs.AsNoTracking().Where(r => r.ClientKey == clientKey).OrderBy(r => r.Id).ToListAsync();
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> PostRunAsync(HttpClient client, string json)
    {
        using var response = await client.PostAsync("/api/runs/external", Json(json));
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonNode>())!);
    }

    private static async Task<HttpClient> MemberClientAsync(ApiHost host, string userName)
    {
        using (var created = await host.Client.PostAsJsonAsync("/api/users", new { userName, password = "a long enough password", role = Roles.Member }))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = (await host.App.Services.GetRequiredService<ApiTokens>().CreateAsync(await UserIdAsync(host, userName), "script", TokenScope.Write, null)).Token;
        return TestAuth.Authorize(host.App.CreateClient(), token);
    }

    [Theory, SqliteData, PostgresData]
    public async Task AClientKeyNamedAgain_ReturnsItsRun_AndAnotherRequestUnderIt_Is409(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        const string request = """{"name": "keyed", "project": "keys", "tags": ["a"], "config": {"lr": 0.01, "dropout": {"rate": 0.1}}, "clientKey": "7f3c-run-1"}""";
        var (firstStatus, first) = await PostRunAsync(host.Client, request);
        Assert.Equal(HttpStatusCode.Created, firstStatus);
        var runId = first["id"]!.GetValue<long>();

        // A retry after a lost answer: the same run, the same body shape, no second run. Key order in the config does not matter.
        var (againStatus, again) = await PostRunAsync(host.Client,
            """{"clientKey": "7f3c-run-1", "config": {"dropout": {"rate": 0.1}, "lr": 0.01}, "project": "keys", "name": "keyed", "tags": ["a"]}""");
        Assert.Equal(HttpStatusCode.OK, againStatus);
        Assert.True(JsonNode.DeepEquals(first, again), $"{first} != {again}");
        Assert.Equal(runId, Assert.Single(await RunsKeyedAsync(host, "7f3c-run-1")).Id);

        // A resumed script learns where its batches go on.
        using (var batch = await PostBatchAsync(host.Client, runId, """{"seq": 1, "points": [{"key": "train/loss", "step": 1, "value": 0.5}]}"""))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var (_, resumed) = await PostRunAsync(host.Client, request);
        Assert.Equal((runId, 2L, "running"), (resumed["id"]!.GetValue<long>(), resumed["nextSeq"]!.GetValue<long>(), resumed["status"]!.GetValue<string>()));

        // The same key with another config, name or project is refused and names the run that holds the key.
        foreach (var other in new[]
        {
            """{"name": "keyed", "project": "keys", "config": {"lr": 0.02, "dropout": {"rate": 0.1}}, "clientKey": "7f3c-run-1"}""",
            """{"name": "keyed-2", "project": "keys", "config": {"lr": 0.01, "dropout": {"rate": 0.1}}, "clientKey": "7f3c-run-1"}""",
            """{"name": "keyed", "config": {"lr": 0.01, "dropout": {"rate": 0.1}}, "clientKey": "7f3c-run-1"}""",
        })
        {
            var (status, problem) = await PostRunAsync(host.Client, other);
            Assert.True(status == HttpStatusCode.Conflict, $"{other}: {(int)status} {problem}");
            Assert.Contains("client key '7f3c-run-1'", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(runId, problem["runId"]!.GetValue<long>());
        }
        Assert.Single(await RunsKeyedAsync(host, "7f3c-run-1"));

        // A blank, too long or unprintable key is a 400 naming clientKey, and makes no run.
        await using (var context = host.Database.CreateDbContext())
        {
            var before = await context.Runs.CountAsync();
            foreach (var key in new[] { "\"\"", "\"   \"", $"\"{new string('k', 65)}\"", "\"a\\u0001b\"", "17" })
            {
                var (status, problem) = await PostRunAsync(host.Client, $$"""{"name": "bad-key", "clientKey": {{key}}}""");
                Assert.True(status == HttpStatusCode.BadRequest, $"{key}: {(int)status} {problem}");
                Assert.Contains("clientKey", problem.ToJsonString(), StringComparison.OrdinalIgnoreCase);
            }
            Assert.Equal(before, await context.Runs.CountAsync());
        }
        var (longest, _) = await PostRunAsync(host.Client, $$"""{"name": "long-key", "clientKey": "{{new string('k', 64)}}"}""");
        Assert.Equal(HttpStatusCode.Created, longest);
    }

    [Theory, SqliteData, PostgresData]
    public async Task TheSameClientKey_OfTwoUsers_MakesTwoRuns(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        using var max = await MemberClientAsync(host, "max");
        const string request = """{"name": "shared-key", "clientKey": "seed-0"}""";
        var (adminStatus, adminsRun) = await PostRunAsync(host.Client, request);
        var (maxStatus, maxsRun) = await PostRunAsync(max, request);
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (adminStatus, maxStatus));
        Assert.NotEqual(adminsRun["id"]!.GetValue<long>(), maxsRun["id"]!.GetValue<long>());
        var (maxAgain, maxsAgain) = await PostRunAsync(max, request);
        Assert.Equal((HttpStatusCode.OK, maxsRun["id"]!.GetValue<long>()), (maxAgain, maxsAgain["id"]!.GetValue<long>()));
        var keyed = await RunsKeyedAsync(host, "seed-0");
        Assert.Equal(2, keyed.Count);
        Assert.Equal("max", keyed.Single(r => r.Id == maxsRun["id"]!.GetValue<long>()).Owner);
    }

    [Theory, SqliteData, PostgresData]
    public async Task ConcurrentCreates_WithOneClientKey_MakeOneRun_AndAllAnswerIt(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        for (var round = 0; round < 3; round++)
        {
            var key = $"race-{round}";
            // Started together, the creates all look the key up before any has stored it: the unique index decides.
            using var start = new ManualResetEventSlim();
            var creates = Enumerable.Range(0, 12).Select(_ => Task.Run(async () =>
            {
                start.Wait();
                return await PostRunAsync(host.Client, $$"""{"name": "raced", "project": "race", "config": {"seed": 1}, "clientKey": "{{key}}"}""");
            })).ToList();
            start.Set();
            var answers = await Task.WhenAll(creates);
            Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)a.Status} {a.Body}"));
            Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
            var run = Assert.Single(await RunsKeyedAsync(host, key));
            Assert.All(answers, a => Assert.Equal(run.Id, a.Body["id"]!.GetValue<long>()));
        }
    }
}
