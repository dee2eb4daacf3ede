using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Security;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>
/// /openapi/v1.json is a valid OpenAPI 3.1 document, and the API answers what it declares: every operation's sample
/// answers (and the bodies sent to it) satisfy the declared schemas under a real JSON Schema validator.
/// </summary>
public class OpenApiTests
{
    private const string Json = "application/json";

    private static async Task<OpenApiSchemas> DocumentAsync(ApiHost host) =>
        new(await host.Client.GetStringAsync("/openapi/v1.json"));

    [Fact]
    public async Task OpenApiDocument_DescribesEveryApiEndpoint()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var document = (await DocumentAsync(host)).Document;

        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => (Path: path.Key, Method: op.Key, Operation: op.Value!)))
            .Where(op => op.Path.StartsWith("/api/", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(
            [("/api/audit", "get", "ListAudit"), ("/api/compare.csv", "get", "GetComparisonCsv"),
             ("/api/projects/{name}/webhooks", "get", "ListWebhooks"), ("/api/projects/{name}/webhooks", "post", "CreateWebhook"),
             ("/api/projects/{name}/webhooks/{id}", "delete", "DeleteWebhook"),
             ("/api/runs", "get", "ListRuns"), ("/api/runs", "post", "SubmitRun"), ("/api/runs/bulk", "post", "BulkRunAction"), ("/api/runs/external", "post", "CreateScriptRun"),
             ("/api/runs/{id}", "delete", "DeleteRun"), ("/api/runs/{id}", "get", "GetRun"), ("/api/runs/{id}", "patch", "UpdateRun"),
             ("/api/runs/{id}/cancel", "post", "CancelRun"), ("/api/runs/{id}/checkpoint", "get", "GetRunCheckpoint"), ("/api/runs/{id}/events", "get", "GetRunEvents"),
             ("/api/runs/{id}/files", "get", "ListRunFiles"), ("/api/runs/{id}/files/{name}", "get", "GetRunFile"), ("/api/runs/{id}/files/{name}", "put", "AttachRunFile"),
             ("/api/runs/{id}/finish", "post", "FinishScriptRun"), ("/api/runs/{id}/metrics", "get", "GetRunMetrics"), ("/api/runs/{id}/metrics.json", "get", "DownloadRunMetrics"), ("/api/runs/{id}/points", "post", "LogPoints"),
             ("/api/runs/{id}/restore", "post", "RestoreRun"),
             ("/api/share", "get", "ListShareLinks"), ("/api/share", "post", "CreateShareLink"), ("/api/share/{id}", "delete", "RevokeShareLink"),
             ("/api/sweeps", "post", "SubmitSweep"), ("/api/sweeps/{id}", "get", "GetSweep"),
             ("/api/tokens", "get", "ListTokens"), ("/api/tokens", "post", "CreateToken"), ("/api/tokens/{id}", "delete", "RevokeToken"),
             ("/api/trash", "delete", "EmptyTrash"), ("/api/trash", "get", "ListTrash"),
             ("/api/users", "get", "ListUsers"), ("/api/users", "post", "CreateUser"), ("/api/users/{id}", "patch", "UpdateUser"),
             ("/api/views", "get", "ListViews"), ("/api/views", "post", "SaveView"), ("/api/views/{id}", "delete", "DeleteView"),
             ("/api/workers", "get", "ListWorkers"), ("/api/workers/register", "post", "RegisterWorker"), ("/api/workers/{id}/claim", "post", "ClaimJob"), ("/api/workers/{id}/disable", "post", "DisableWorker"),
             ("/api/workers/{id}/drain", "post", "DrainWorker"), ("/api/workers/{id}/enable", "post", "EnableWorker"),
             ("/api/workers/{id}/heartbeat", "post", "WorkerHeartbeat"), ("/api/workers/{id}/runs/{runId}/checkpoint", "put", "UploadWorkerRunCheckpoint"),
             ("/api/workers/{id}/runs/{runId}/complete", "post", "CompleteWorkerRun"),
             ("/api/workers/{id}/runs/{runId}/events", "post", "PostWorkerRunEvents"), ("/api/workers/{id}/runs/{runId}/heartbeat", "post", "WorkerRunHeartbeat"),
             ("/api/workers/{id}/runs/{runId}/parent-checkpoint", "get", "DownloadWorkerRunParentCheckpoint"),
             ("/api/workers/{id}/runs/{runId}/release", "post", "ReleaseWorkerRun"), ("/api/workers/{id}/runs/{runId}/start", "post", "StartWorkerRun")],
            operations.Select(op => (op.Path, op.Method, op.Operation["operationId"]!.GetValue<string>())).Order());
        Assert.All(operations, op => Assert.False(string.IsNullOrWhiteSpace(op.Operation["description"]?.GetValue<string>())));
        Assert.All(operations, op => Assert.False(string.IsNullOrWhiteSpace(op.Operation["summary"]?.GetValue<string>())));
        Assert.NotNull(document["paths"]!["/api/runs"]!["post"]!["requestBody"]!["content"]![Json]);
        var metrics = document["paths"]!["/api/runs/{id}/metrics"]!["get"]!;
        Assert.Contains(metrics["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "maxPoints" && p["in"]!.GetValue<string>() == "query");
        Assert.Contains("maxPoints", metrics["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("#/components/schemas/RunMetrics", metrics["responses"]!["200"]!["content"]![Json]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("string", metrics["responses"]!["200"]!["content"]!["text/csv"]!["schema"]!["type"]!.GetValue<string>());
        Assert.Equal(["runs", "metrics", "smooth", "x", "group"],
            document["paths"]!["/api/compare.csv"]!["get"]!["parameters"]!.AsArray()
                .Where(p => p!["in"]!.GetValue<string>() == "query").Select(p => p!["name"]!.GetValue<string>()));
        Assert.NotNull(document["paths"]!["/api/compare.csv"]!["get"]!["responses"]!["200"]!["headers"]!["X-Missing-Runs"]);
        Assert.NotNull(document["paths"]!["/api/sweeps"]!["post"]!["requestBody"]!["content"]![Json]);
        // Every path parameter of every operation is declared.
        foreach (var (path, method, operation) in operations)
        {
            var declared = (operation["parameters"]?.AsArray() ?? []).Where(p => p!["in"]!.GetValue<string>() == "path")
                .Select(p => p!["name"]!.GetValue<string>()).Order();
            var inPath = System.Text.RegularExpressions.Regex.Matches(path, @"\{(\w+)\}").Select(m => m.Groups[1].Value).Order();
            Assert.True(declared.SequenceEqual(inPath), $"{method} {path} declares path parameters [{string.Join(", ", declared)}]");
        }
    }

    [Fact]
    public async Task OpenApiDocument_IsValidOpenApi31_WithValidJsonSchemas()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var text = await host.Client.GetStringAsync("/openapi/v1.json");

        // Microsoft.OpenApi's reader and its default rules: structure, references, required fields.
        var read = OpenApiDocument.Parse(text, "json");
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, read.Diagnostic!.SpecificationVersion);
        Assert.True(read.Diagnostic.Errors.Count == 0, string.Join("\n", read.Diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}")));
        var ruleErrors = read.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.True(ruleErrors.Count == 0, string.Join("\n", ruleErrors.Select(e => $"{e.Pointer}: {e.Message}")));

        // Every schema in it is a valid JSON Schema 2020-12, the dialect OpenAPI 3.1 builds on.
        var document = new OpenApiSchemas(text).Document;
        var schemas = document["components"]!["schemas"]!.AsObject().Select(s => (Where: $"components/schemas/{s.Key}", Schema: s.Value!))
            .Concat(AllNamed(document["paths"]!, "schema").Select(s => (Where: s.GetPath(), Schema: s)))
            .ToList();
        Assert.True(schemas.Count > 60, $"only {schemas.Count} schemas found");
        var invalid = schemas.SelectMany(s => OpenApiSchemas.CheckIsJsonSchema(s.Schema).Select(e => $"{s.Where}: {e}")).ToList();
        Assert.True(invalid.Count == 0, string.Join("\n", invalid));
        Assert.Equal(["bearer"], document["components"]!["securitySchemes"]!.AsObject()
            .Where(s => s.Value!["type"]!.GetValue<string>() == "http").Select(s => s.Value!["scheme"]!.GetValue<string>()));
        Assert.Contains(document["components"]!["securitySchemes"]!.AsObject(), s =>
            s.Value!["type"]!.GetValue<string>() == "apiKey" && s.Value["in"]!.GetValue<string>() == "cookie" && s.Value["name"]!.GetValue<string>() == "tracker.session");
    }

    [Fact]
    public async Task OpenApiDocument_DeclaresNumbersAsNumbers_AndNonFiniteMetricValuesAsStrings()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var schemas = await DocumentAsync(host);
        var components = schemas.Document["components"]!["schemas"]!;

        // No schema says "object" for a double any more, nor offers NaN outside a oneOf with a number.
        var doubles = AllObjects(schemas.Document).Where(o => o["format"]?.GetValue<string>() is "double" or "float").ToList();
        Assert.NotEmpty(doubles);
        Assert.All(doubles, o => Assert.Contains("number", o["type"]!.ToJsonString(), StringComparison.Ordinal));
        Assert.DoesNotContain(AllObjects(schemas.Document), o => o["anyOf"] is not null && o["anyOf"]!.ToJsonString().Contains("\"NaN\"", StringComparison.Ordinal));

        var config = components["RunConfig"]!["properties"]!;
        Assert.Empty(schemas.Check(config["lr"]!, Element("0.001")));
        Assert.NotEmpty(schemas.Check(config["lr"]!, Element("\"NaN\"")));
        Assert.Empty(schemas.Check(config["gradClip"]!, Element("null")));
        Assert.Empty(schemas.Check(config["gradClip"]!, Element("1.5")));
        Assert.Empty(schemas.Check(components["RunConfig"]!, Element(RunConfigJson.Serialize(ApiHost.Config() with { GradClip = 1.0 }))));

        var point = components["MetricPointDto"]!;
        Assert.Empty(schemas.Check(point, Element("""{"step":1,"epoch":1,"value":0.5,"time":"2026-01-01T00:00:00Z"}""")));
        Assert.Empty(schemas.Check(point, Element("""{"step":1,"epoch":1,"value":"-Infinity","time":"2026-01-01T00:00:00Z"}""")));
        Assert.NotEmpty(schemas.Check(point, Element("""{"step":1,"epoch":1,"value":"big","time":"2026-01-01T00:00:00Z"}""")));
        Assert.Contains("NaN", point["properties"]!["value"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(schemas.Check(components["RunListItem"]!["properties"]!["bestValLoss"]!, Element("null")));
        Assert.Empty(schemas.Check(components["TrainingEventStepEvent"]!["properties"]!["metrics"]!, Element("""{"train/loss":"NaN","lr":0.1}""")));
    }

    [Fact]
    public async Task EveryOperation_ListsItsSecurity_AndUnsignedCallsGetTheDeclared401()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var schemas = await DocumentAsync(host);
        using var anonymous = host.App.CreateClient();
        anonymous.DefaultRequestHeaders.Authorization = null;

        var failures = new List<string>();
        foreach (var (path, method, operation) in schemas.Operations)
        {
            var url = path.Replace("{id}", "1", StringComparison.Ordinal).Replace("{runId}", "1", StringComparison.Ordinal).Replace("{name}", "p", StringComparison.Ordinal)
                .Replace("{token}", "not-a-token", StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
            if (operation["requestBody"] is not null) request.Content = new StringContent("{}", Encoding.UTF8, Json);
            using var response = await anonymous.SendAsync(request);
            var security = operation["security"]?.AsArray() ?? [];
            if (path.StartsWith("/s/", StringComparison.Ordinal))
            {
                // A share link's token is its authorization: open, and an unknown one is simply not found.
                if (security.Count != 0) failures.Add($"{method} {path} lists security");
                if (response.StatusCode != HttpStatusCode.NotFound) failures.Add($"{method} {path}: {(int)response.StatusCode}, not 404");
                continue;
            }
            var schemes = security.Select(s => s!.AsObject().Single().Key).ToList();
            if (!schemes.Order().SequenceEqual(["bearerToken", "sessionCookie"])) failures.Add($"{method} {path} lists [{string.Join(", ", schemes)}]");
            failures.AddRange((await ResponseProblemsAsync(schemas, operation, response, HttpStatusCode.Unauthorized)).Select(p => $"{method} {path}: {p}"));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task SampleAnswers_OfEveryOperation_SatisfyTheDeclaredSchemas()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);
        var samples = new Samples(host, await DocumentAsync(host));
        var services = host.App.Services;

        // A run with a diverged metric (Infinity is stored; NaN only lives in events) and its events.
        var runId = await host.SubmitAsync(ApiHost.Config("oa-run", "oa"));
        await host.Metrics.AppendAsync([
            RunsApiTests.Point(runId, MetricKeys.TrainLoss, 1, 1.5), RunsApiTests.Point(runId, MetricKeys.TrainLoss, 2, double.PositiveInfinity),
            RunsApiTests.Point(runId, MetricKeys.ValAcc, 1, 50), RunsApiTests.Point(runId, MetricKeys.ValLoss, 1, double.PositiveInfinity)]);
        await services.GetRequiredService<RunEventStore>().StoreAsync(runId, [
            new RunStartedEvent { Seq = 1, Config = ApiHost.Config("oa-run", "oa"), Device = "cpu", ParameterCount = 5 },
            new StepEvent { Seq = 2, Step = 1, Epoch = 1, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = double.NaN } },
            new EpochEvent { Seq = 3, Step = 2, Epoch = 1, EpochSeconds = 0.5, Metrics = new Dictionary<string, double> { [MetricKeys.ValAcc] = 50 } },
            new RunFinishedEvent { Seq = 4, Status = RunOutcome.Diverged, Summary = new RunOutcomeSummary
            {
                FinalMetrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = double.PositiveInfinity }, EpochsCompleted = 1, Steps = 2, Error = "loss is inf",
            } },
        ]);

        // Runs
        var submitted = await samples.CheckAsync("SubmitRun", "post", "/api/runs", HttpStatusCode.Created, RunConfigJson.Serialize(ApiHost.Config("oa-submitted", "oa")));
        await samples.CheckAsync("SubmitRun", "post", "/api/runs", HttpStatusCode.BadRequest,
            RunConfigJson.Serialize(ApiHost.Config("oa-bad", "oa") with { Lr = -1 }), checkBody: false);
        await samples.CheckAsync("SubmitRun", "post", "/api/runs", HttpStatusCode.BadRequest, "{\"name\": ", checkBody: false);
        await samples.CheckAsync("ListRuns", "get", "/api/runs?project=oa", HttpStatusCode.OK);
        await samples.CheckAsync("ListRuns", "get", "/api/runs?sort=size", HttpStatusCode.BadRequest);
        await samples.CheckAsync("ListRuns", "get", "/api/runs?page=abc", HttpStatusCode.BadRequest);
        var run = await samples.CheckAsync("GetRun", "get", $"/api/runs/{runId}", HttpStatusCode.OK);
        Assert.Equal("Infinity", run!["summaries"]![MetricKeys.TrainLoss]!["max"]!.GetValue<string>());
        await samples.CheckAsync("GetRun", "get", "/api/runs/999999", HttpStatusCode.NotFound);
        var events = await samples.CheckAsync("GetRunEvents", "get", $"/api/runs/{runId}/events", HttpStatusCode.OK);
        Assert.Equal(4, events!.AsArray().Count);
        await samples.CheckAsync("GetRunEvents", "get", $"/api/runs/{runId}/events?after=-1", HttpStatusCode.BadRequest);
        await samples.CheckAsync("GetRunEvents", "get", "/api/runs/999999/events", HttpStatusCode.NotFound);
        var metrics = await samples.CheckAsync("GetRunMetrics", "get", $"/api/runs/{runId}/metrics", HttpStatusCode.OK);
        Assert.Contains("\"Infinity\"", metrics!.ToJsonString(), StringComparison.Ordinal);
        await samples.CheckAsync("GetRunMetrics", "get", $"/api/runs/{runId}/metrics?maxPoints=100&from=1&to=2", HttpStatusCode.OK);
        await samples.CheckAsync("GetRunMetrics", "get", $"/api/runs/{runId}/metrics?format=csv", HttpStatusCode.OK);
        await samples.CheckAsync("GetRunMetrics", "get", $"/api/runs/{runId}/metrics?maxPoints=many", HttpStatusCode.BadRequest);
        await samples.CheckAsync("GetRunMetrics", "get", "/api/runs/999999/metrics", HttpStatusCode.NotFound);
        await samples.CheckAsync("GetComparisonCsv", "get", $"/api/compare.csv?runs={runId},999999&metrics={MetricKeys.TrainLoss}&x=step", HttpStatusCode.OK);
        await samples.CheckAsync("GetComparisonCsv", "get", "/api/compare.csv?metrics=val/acc", HttpStatusCode.BadRequest);
        var toCancel = submitted!["id"]!.GetValue<long>();
        await samples.CheckAsync("CancelRun", "post", $"/api/runs/{toCancel}/cancel", HttpStatusCode.OK);
        await samples.CheckAsync("CancelRun", "post", $"/api/runs/{toCancel}/cancel", HttpStatusCode.Conflict);
        await samples.CheckAsync("CancelRun", "post", "/api/runs/999999/cancel", HttpStatusCode.NotFound);
        var checkpoint = services.GetRequiredService<RunCheckpoints>().PathOf(toCancel);
        Directory.CreateDirectory(Path.GetDirectoryName(checkpoint)!);
        await File.WriteAllBytesAsync(checkpoint, [1, 2, 3]);
        await samples.CheckAsync("GetRunCheckpoint", "get", $"/api/runs/{toCancel}/checkpoint", HttpStatusCode.OK);
        await samples.CheckAsync("GetRunCheckpoint", "get", $"/api/runs/{runId}/checkpoint", HttpStatusCode.Conflict);
        await samples.CheckAsync("GetRunCheckpoint", "get", "/api/runs/999999/checkpoint", HttpStatusCode.NotFound);
        await samples.CheckAsync("DownloadRunMetrics", "get", $"/api/runs/{runId}/metrics.json", HttpStatusCode.OK);
        await samples.CheckAsync("DownloadRunMetrics", "get", "/api/runs/999999/metrics.json", HttpStatusCode.NotFound);
        await samples.CheckAsync("BulkRunAction", "post", "/api/runs/bulk", HttpStatusCode.OK, $$"""{"action": "tag", "runs": [{{runId}}, 999999], "tag": "oa-bulk"}""");
        await samples.CheckAsync("BulkRunAction", "post", "/api/runs/bulk", HttpStatusCode.OK, """{"action": "compare", "filter": {"project": "oa"}}""");
        await samples.CheckAsync("BulkRunAction", "post", "/api/runs/bulk", HttpStatusCode.BadRequest, """{"action": "explode", "runs": [1]}""");
        await samples.CheckAsync("DeleteRun", "delete", $"/api/runs/{runId}", HttpStatusCode.Conflict);
        await samples.CheckAsync("DeleteRun", "delete", $"/api/runs/{toCancel}", HttpStatusCode.NoContent);
        await samples.CheckAsync("DeleteRun", "delete", "/api/runs/999999", HttpStatusCode.NotFound);
        await samples.CheckAsync("ListTrash", "get", "/api/trash", HttpStatusCode.OK);
        await samples.CheckAsync("RestoreRun", "post", $"/api/runs/{toCancel}/restore", HttpStatusCode.OK);
        await samples.CheckAsync("RestoreRun", "post", $"/api/runs/{toCancel}/restore", HttpStatusCode.NotFound);
        await samples.CheckAsync("UpdateRun", "patch", $"/api/runs/{toCancel}", HttpStatusCode.OK, """{"name": "oa-renamed", "archived": true}""");
        await samples.CheckAsync("UpdateRun", "patch", $"/api/runs/{toCancel}", HttpStatusCode.BadRequest, """{"name": " "}""");
        await samples.CheckAsync("UpdateRun", "patch", "/api/runs/999999", HttpStatusCode.NotFound, """{"archived": false}""");
        await samples.CheckAsync("ListRuns", "get", "/api/runs?project=oa&archived=only", HttpStatusCode.OK);
        await samples.CheckAsync("DeleteRun", "delete", $"/api/runs/{toCancel}", HttpStatusCode.NoContent);
        await samples.CheckAsync("EmptyTrash", "delete", "/api/trash", HttpStatusCode.OK);

        // Runs logged by a script: create, two batches (one resent, one with a gap), a file, finish.
        var script = await samples.CheckAsync("CreateScriptRun", "post", "/api/runs/external", HttpStatusCode.Created,
            """{"name": "oa-script", "project": "oa", "tags": ["script"], "config": {"lr": 0.001, "dropout": {"rate": 0.1}, "note": "free-form"}}""");
        await samples.CheckAsync("CreateScriptRun", "post", "/api/runs/external", HttpStatusCode.BadRequest, """{"name": "", "config": []}""", checkBody: false);
        // A client key named again answers its run (200); under another request, 409; too long, 400.
        const string keyed = """{"name": "oa-keyed", "project": "oa", "config": {"lr": 0.001}, "clientKey": "0b9d6a52-6f1e-4c3b-9a51-3f0f8e2d4c11"}""";
        await samples.CheckAsync("CreateScriptRun", "post", "/api/runs/external", HttpStatusCode.Created, keyed);
        await samples.CheckAsync("CreateScriptRun", "post", "/api/runs/external", HttpStatusCode.OK, keyed);
        await samples.CheckAsync("CreateScriptRun", "post", "/api/runs/external", HttpStatusCode.Conflict, keyed.Replace("0.001", "0.002", StringComparison.Ordinal));
        await samples.CheckAsync("CreateScriptRun", "post", "/api/runs/external", HttpStatusCode.BadRequest,
            $$"""{"name": "oa-keyed", "clientKey": "{{new string('k', 65)}}"}""");
        var scriptId = script!["id"]!.GetValue<long>();
        var batch = """{"seq": 1, "points": [{"key": "train/loss", "step": 1, "value": 0.5}, {"key": "val/acc", "step": 1, "epoch": 1, "value": 61.5, "time": "2026-11-28T12:00:00Z"}]}""";
        await samples.CheckAsync("LogPoints", "post", $"/api/runs/{scriptId}/points", HttpStatusCode.OK, batch);
        var resent = await samples.CheckAsync("LogPoints", "post", $"/api/runs/{scriptId}/points", HttpStatusCode.OK, batch);
        Assert.True(resent!["duplicate"]!.GetValue<bool>());
        await samples.CheckAsync("LogPoints", "post", $"/api/runs/{scriptId}/points", HttpStatusCode.Conflict,
            """{"seq": 5, "points": [{"key": "train/loss", "step": 2, "value": 0.4}]}""");
        await samples.CheckAsync("LogPoints", "post", $"/api/runs/{scriptId}/points", HttpStatusCode.BadRequest,
            """{"seq": 2, "points": [{"key": "", "step": 2, "value": 0.4}]}""", checkBody: false);
        await samples.CheckAsync("LogPoints", "post", "/api/runs/999999/points", HttpStatusCode.NotFound, batch);
        await samples.CheckAsync("AttachRunFile", "put", $"/api/runs/{scriptId}/files/notes.txt", HttpStatusCode.Created, "plain notes", checkBody: false);
        await samples.CheckAsync("AttachRunFile", "put", $"/api/runs/{scriptId}/files/.hidden", HttpStatusCode.BadRequest, "x", checkBody: false);
        await samples.CheckAsync("ListRunFiles", "get", $"/api/runs/{scriptId}/files", HttpStatusCode.OK);
        await samples.CheckAsync("GetRunFile", "get", $"/api/runs/{scriptId}/files/notes.txt", HttpStatusCode.OK);
        await samples.CheckAsync("GetRunFile", "get", $"/api/runs/{scriptId}/files/missing.txt", HttpStatusCode.NotFound);
        await samples.CheckAsync("FinishScriptRun", "post", $"/api/runs/{scriptId}/finish", HttpStatusCode.BadRequest, """{"status": "done"}""", checkBody: false);
        await samples.CheckAsync("FinishScriptRun", "post", $"/api/runs/{scriptId}/finish", HttpStatusCode.OK, """{"status": "succeeded"}""");
        await samples.CheckAsync("FinishScriptRun", "post", $"/api/runs/{scriptId}/finish", HttpStatusCode.Conflict, """{"status": "failed", "error": "late"}""");

        // Sweeps
        var sweepBody = $$$"""{"base": {{{RunConfigJson.Serialize(ApiHost.Config("oa-sweep", "oa"))}}}, "grid": {"methods": ["no dropout"], "models": ["mlp"], "seeds": [0, 1]}}""";
        var sweep = await samples.CheckAsync("SubmitSweep", "post", "/api/sweeps", HttpStatusCode.Created, sweepBody);
        await samples.CheckAsync("SubmitSweep", "post", "/api/sweeps", HttpStatusCode.BadRequest, """{"base": {"name": "x"}, "grid": {"seeds": [1, 1]}}""", checkBody: false);
        var sweepId = sweep!["id"]!.GetValue<string>();
        await samples.CheckAsync("GetSweep", "get", $"/api/sweeps/{sweepId}", HttpStatusCode.OK);
        await samples.CheckAsync("GetSweep", "get", "/api/sweeps/no-such-sweep", HttpStatusCode.NotFound);

        // Saved views
        var view = await samples.CheckAsync("SaveView", "post", "/api/views", HttpStatusCode.OK, """{"name": "oa runs", "query": "project=oa"}""");
        await samples.CheckAsync("SaveView", "post", "/api/views", HttpStatusCode.BadRequest, """{"name": " ", "query": ""}""", checkBody: false);
        await samples.CheckAsync("ListViews", "get", "/api/views", HttpStatusCode.OK);
        await samples.CheckAsync("DeleteView", "delete", $"/api/views/{view!["id"]}", HttpStatusCode.NoContent);
        await samples.CheckAsync("DeleteView", "delete", $"/api/views/{view["id"]}", HttpStatusCode.NotFound);

        // Share links and what they open
        var runLink = await samples.CheckAsync("CreateShareLink", "post", "/api/share", HttpStatusCode.Created, $$"""{"kind": "run", "target": "{{runId}}", "expiresInDays": 7}""");
        var comparisonLink = await samples.CheckAsync("CreateShareLink", "post", "/api/share", HttpStatusCode.Created, $$"""{"kind": "comparison", "target": "runs={{runId}}&metrics=train/loss"}""");
        var sweepLink = await samples.CheckAsync("CreateShareLink", "post", "/api/share", HttpStatusCode.Created, $$"""{"kind": "sweep", "target": "{{sweepId}}"}""");
        await samples.CheckAsync("CreateShareLink", "post", "/api/share", HttpStatusCode.BadRequest, """{"kind": "run", "target": "999999"}""", checkBody: false);
        await samples.CheckAsync("ListShareLinks", "get", $"/api/share?kind=run&target={runId}", HttpStatusCode.OK);
        await samples.CheckAsync("ListShareLinks", "get", "/api/share?kind=poster&target=1", HttpStatusCode.BadRequest);
        using var stranger = host.App.CreateClient();
        stranger.DefaultRequestHeaders.Authorization = null;
        foreach (var link in new[] { runLink, comparisonLink, sweepLink })
            await samples.CheckAsync("GetSharedData", "get", $"/s/{link!["token"]}/data", HttpStatusCode.OK, client: stranger);
        await samples.CheckAsync("GetSharedData", "head", $"/s/{runLink!["token"]}/data", HttpStatusCode.OK, client: stranger);
        await samples.CheckAsync("GetSharedData", "get", "/s/not-a-token/data", HttpStatusCode.NotFound, client: stranger);
        await samples.CheckAsync("GetSharedComparisonCsv", "get", $"/s/{comparisonLink!["token"]}/data.csv", HttpStatusCode.OK, client: stranger);
        await samples.CheckAsync("GetSharedComparisonCsv", "head", $"/s/{comparisonLink["token"]}/data.csv", HttpStatusCode.OK, client: stranger);
        await samples.CheckAsync("GetSharedComparisonCsv", "get", $"/s/{runLink["token"]}/data.csv", HttpStatusCode.NotFound, client: stranger);
        await samples.CheckAsync("RevokeShareLink", "delete", $"/api/share/{runLink["id"]}", HttpStatusCode.NoContent);
        await samples.CheckAsync("RevokeShareLink", "delete", "/api/share/999999", HttpStatusCode.NotFound);

        // Webhooks
        var webhook = await samples.CheckAsync("CreateWebhook", "post", "/api/projects/oa/webhooks", HttpStatusCode.Created,
            """{"url": "https://example.org/hook", "events": ["finished", "diverged"]}""");
        await samples.CheckAsync("CreateWebhook", "post", "/api/projects/oa/webhooks", HttpStatusCode.BadRequest, """{"url": "not a url", "events": ["finished"]}""", checkBody: false);
        await samples.CheckAsync("ListWebhooks", "get", "/api/projects/oa/webhooks", HttpStatusCode.OK);
        await samples.CheckAsync("ListWebhooks", "get", "/api/projects/no-such-project/webhooks", HttpStatusCode.NotFound);
        await samples.CheckAsync("DeleteWebhook", "delete", $"/api/projects/oa/webhooks/{webhook!["id"]}", HttpStatusCode.NoContent);
        await samples.CheckAsync("DeleteWebhook", "delete", $"/api/projects/oa/webhooks/{webhook["id"]}", HttpStatusCode.NotFound);

        // Users, tokens and the audit log
        var vera = await samples.CheckAsync("CreateUser", "post", "/api/users", HttpStatusCode.Created,
            """{"userName": "vera", "password": "a long enough password", "role": "viewer"}""");
        await samples.CheckAsync("CreateUser", "post", "/api/users", HttpStatusCode.Created, """{"userName": "nopassword", "role": "member"}""");
        await samples.CheckAsync("CreateUser", "post", "/api/users", HttpStatusCode.BadRequest, """{"userName": "bad", "role": "owner"}""", checkBody: false);
        await samples.CheckAsync("ListUsers", "get", "/api/users", HttpStatusCode.OK);
        var veraId = vera!["user"]!["id"]!.GetValue<long>();
        await samples.CheckAsync("UpdateUser", "patch", $"/api/users/{veraId}", HttpStatusCode.OK, """{"disabled": false}""");
        await samples.CheckAsync("UpdateUser", "patch", "/api/users/999999", HttpStatusCode.NotFound, """{"role": "member"}""");
        await samples.CheckAsync("UpdateUser", "patch", $"/api/users/{veraId}", HttpStatusCode.BadRequest, """{"role": "owner"}""", checkBody: false);
        var token = await samples.CheckAsync("CreateToken", "post", "/api/tokens", HttpStatusCode.Created, """{"name": "ci", "scope": "read", "expiresInDays": 30}""");
        await samples.CheckAsync("CreateToken", "post", "/api/tokens", HttpStatusCode.BadRequest, """{"name": "ci"}""");
        await samples.CheckAsync("ListTokens", "get", "/api/tokens", HttpStatusCode.OK);
        await samples.CheckAsync("RevokeToken", "delete", $"/api/tokens/{token!["id"]}", HttpStatusCode.NoContent);
        await samples.CheckAsync("RevokeToken", "delete", "/api/tokens/999999", HttpStatusCode.NotFound);
        await samples.CheckAsync("ListAudit", "get", "/api/audit?take=5", HttpStatusCode.OK);
        await samples.CheckAsync("ListAudit", "get", "/api/audit?take=all", HttpStatusCode.BadRequest);

        // Remote workers: a worker token registers, claims a queued run, stores its events (a resend is a no-op), heartbeats and
        // completes it, claims another and gives it back; the admin lists, drains, enables and disables the worker.
        long adminId;
        using (var scope = services.CreateScope())
            adminId = (await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<TrackerUser>>().FindByNameAsync("admin"))!.Id;
        using var worker = host.App.CreateClient();
        worker.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (await services.GetRequiredService<ApiTokens>().CreateAsync(adminId, "box", TokenScope.Worker, null)).Token);
        await host.SubmitAsync(ApiHost.Config("oa-remote-1", "oa"));
        await host.SubmitAsync(ApiHost.Config("oa-remote-2", "oa"));
        var registered = await samples.CheckAsync("RegisterWorker", "post", "/api/workers/register", HttpStatusCode.OK,
            """{"name": "oa-box", "host": "gpu1", "devices": ["cuda:0", "cuda:1"], "slots": 2, "version": "1.0"}""", client: worker);
        await samples.CheckAsync("RegisterWorker", "post", "/api/workers/register", HttpStatusCode.BadRequest, """{"name": "no spaces", "slots": 1}""",
            checkBody: false, client: worker);
        var workerId = registered!["workerId"]!.GetValue<long>();
        await samples.CheckAsync("WorkerHeartbeat", "post", $"/api/workers/{workerId}/heartbeat", HttpStatusCode.OK, client: worker);
        await samples.CheckAsync("WorkerHeartbeat", "post", "/api/workers/999999/heartbeat", HttpStatusCode.NotFound, client: worker);
        var claimed = await samples.CheckAsync("ClaimJob", "post", $"/api/workers/{workerId}/claim", HttpStatusCode.OK, client: worker);
        var remoteRun = claimed!["run"]!["runId"]!.GetValue<long>();
        var storedSeq = claimed["run"]!["storedSeq"]!.GetValue<long>(); // the oldest queued run may have events already
        var runs = $"/api/workers/{workerId}/runs/{remoteRun}";
        await samples.CheckAsync("StartWorkerRun", "post", $"{runs}/start", HttpStatusCode.OK, """{"resumedStep": 0, "resumedEpoch": 0}""", client: worker);
        await samples.CheckAsync("StartWorkerRun", "post", $"{runs}/start", HttpStatusCode.BadRequest, """{"resumedStep": -1, "resumedEpoch": 0}""",
            checkBody: false, client: worker);
        var remoteEvents = "{\"events\": [" + string.Join(",", new TrainingEvent[]
        {
            new RunStartedEvent { Seq = storedSeq + 1, Config = ApiHost.Config("oa-remote", "oa"), Device = "cuda:0", ParameterCount = 5 },
            new EpochEvent { Seq = storedSeq + 2, Step = 2, Epoch = 1, EpochSeconds = 0.5, Metrics = new Dictionary<string, double> { [MetricKeys.ValAcc] = 50 } },
        }.Select(TrainingEventJson.Serialize)) + "]}";
        var acked = await samples.CheckAsync("PostWorkerRunEvents", "post", $"{runs}/events", HttpStatusCode.OK, remoteEvents, client: worker);
        Assert.Equal((storedSeq + 2, 2), (acked!["ackedSeq"]!.GetValue<long>(), acked["stored"]!.GetValue<int>()));
        var resentEvents = await samples.CheckAsync("PostWorkerRunEvents", "post", $"{runs}/events", HttpStatusCode.OK, remoteEvents, client: worker);
        Assert.Equal((storedSeq + 2, 0), (resentEvents!["ackedSeq"]!.GetValue<long>(), resentEvents["stored"]!.GetValue<int>()));
        await samples.CheckAsync("PostWorkerRunEvents", "post", $"{runs}/events", HttpStatusCode.Conflict,
            "{\"events\": [" + TrainingEventJson.Serialize(new EpochEvent { Seq = storedSeq + 9, Step = 4, Epoch = 2, EpochSeconds = 0.5, Metrics = new Dictionary<string, double>() }) + "]}", client: worker);
        await samples.CheckAsync("PostWorkerRunEvents", "post", $"{runs}/events", HttpStatusCode.BadRequest, """{"events": [{"type": "epoch", "seq": 0}]}""",
            checkBody: false, client: worker);
        await samples.CheckAsync("WorkerRunHeartbeat", "post", $"{runs}/heartbeat", HttpStatusCode.OK, client: worker);
        await samples.CheckAsync("ListWorkers", "get", "/api/workers", HttpStatusCode.OK);
        await samples.CheckAsync("DrainWorker", "post", $"/api/workers/{workerId}/drain", HttpStatusCode.OK);
        await samples.CheckAsync("EnableWorker", "post", $"/api/workers/{workerId}/enable", HttpStatusCode.OK);
        await samples.CheckAsync("DrainWorker", "post", "/api/workers/999999/drain", HttpStatusCode.NotFound);
        // Its final checkpoint goes up with the bytes' SHA-256 (the server checks it; the content is opaque to it).
        const string weights = "final weights";
        void Sha256Header(string sha256)
        {
            worker.DefaultRequestHeaders.Remove(WorkerProtocol.CheckpointSha256Header);
            worker.DefaultRequestHeaders.Add(WorkerProtocol.CheckpointSha256Header, sha256);
        }
        Sha256Header(new string('0', 64));
        await samples.CheckAsync("UploadWorkerRunCheckpoint", "put", $"{runs}/checkpoint", HttpStatusCode.BadRequest, weights, checkBody: false, client: worker);
        Sha256Header(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(weights))));
        await samples.CheckAsync("UploadWorkerRunCheckpoint", "put", $"{runs}/checkpoint", HttpStatusCode.OK, weights, checkBody: false, client: worker);
        worker.DefaultRequestHeaders.Remove(WorkerProtocol.CheckpointSha256Header);
        await samples.CheckAsync("DownloadWorkerRunParentCheckpoint", "get", $"{runs}/parent-checkpoint", HttpStatusCode.NotFound, client: worker);
        await samples.CheckAsync("CompleteWorkerRun", "post", $"{runs}/complete", HttpStatusCode.Conflict,
            "{\"finished\": {\"seq\": " + (storedSeq + 7) + ", \"status\": \"succeeded\", \"summary\": {\"epochsCompleted\": 1}}}", client: worker);
        var completed = await samples.CheckAsync("CompleteWorkerRun", "post", $"{runs}/complete", HttpStatusCode.OK,
            "{\"finished\": {\"seq\": " + (storedSeq + 3) + ", \"status\": \"succeeded\", \"summary\": {\"epochsCompleted\": 1}}}", client: worker);
        Assert.Equal("succeeded", completed!["status"]!.GetValue<string>());
        await samples.CheckAsync("WorkerRunHeartbeat", "post", $"{runs}/heartbeat", HttpStatusCode.Conflict, client: worker);
        var another = (await samples.CheckAsync("ClaimJob", "post", $"/api/workers/{workerId}/claim", HttpStatusCode.OK, client: worker))!["run"]!["runId"]!.GetValue<long>();
        await samples.CheckAsync("ReleaseWorkerRun", "post", $"/api/workers/{workerId}/runs/{another}/release", HttpStatusCode.NoContent,
            """{"reason": "the machine reboots"}""", client: worker);
        await samples.CheckAsync("ReleaseWorkerRun", "post", $"/api/workers/{workerId}/runs/{another}/release", HttpStatusCode.Conflict, "{}", client: worker);
        // A fine-tune run of the finished one fetches its checkpoint: a worker with room for every queued run claims them all.
        var fineTune = await host.SubmitAsync(ApiHost.Config("oa-remote-ft", "oa") with { ParentRunId = $"{remoteRun}" });
        var roomy = (await samples.CheckAsync("RegisterWorker", "post", "/api/workers/register", HttpStatusCode.OK,
            """{"name": "oa-big-box", "devices": ["cpu"], "slots": 16}""", client: worker))!["workerId"]!.GetValue<long>();
        var held = new List<long>();
        while (!held.Contains(fineTune) && held.Count < 16)
            held.Add((await samples.CheckAsync("ClaimJob", "post", $"/api/workers/{roomy}/claim", HttpStatusCode.OK, client: worker))!["run"]!["runId"]!.GetValue<long>());
        await samples.CheckAsync("DownloadWorkerRunParentCheckpoint", "get", $"/api/workers/{roomy}/runs/{fineTune}/parent-checkpoint", HttpStatusCode.OK, client: worker);
        foreach (var heldRun in held)
            await samples.CheckAsync("ReleaseWorkerRun", "post", $"/api/workers/{roomy}/runs/{heldRun}/release", HttpStatusCode.NoContent, "{}", client: worker);
        await samples.CheckAsync("DisableWorker", "post", $"/api/workers/{workerId}/disable", HttpStatusCode.OK);
        await samples.CheckAsync("ListWorkers", "get", "/api/workers", HttpStatusCode.Forbidden, client: worker);
        await samples.CheckAsync("ListRuns", "get", "/api/runs", HttpStatusCode.Forbidden, client: worker);

        // A viewer may read but not change; a read token may not manage tokens.
        using var viewer = host.App.CreateClient();
        viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (await services.GetRequiredService<ApiTokens>().CreateAsync(veraId, "v", TokenScope.Write, null)).Token);
        await samples.CheckAsync("ListRuns", "get", "/api/runs", HttpStatusCode.OK, client: viewer);
        await samples.CheckAsync("SubmitRun", "post", "/api/runs", HttpStatusCode.Forbidden, RunConfigJson.Serialize(ApiHost.Config()), client: viewer);
        await samples.CheckAsync("ListUsers", "get", "/api/users", HttpStatusCode.Forbidden, client: viewer);
        await samples.CheckAsync("EmptyTrash", "delete", "/api/trash", HttpStatusCode.Forbidden, client: viewer);
        // Nor may a viewer's worker token train the queue's runs.
        using var viewersWorker = host.App.CreateClient();
        viewersWorker.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (await services.GetRequiredService<ApiTokens>().CreateAsync(veraId, "vw", TokenScope.Worker, null)).Token);
        await samples.CheckAsync("RegisterWorker", "post", "/api/workers/register", HttpStatusCode.Forbidden, """{"name": "vera-box", "slots": 1}""",
            client: viewersWorker);

        Assert.True(samples.Failures.Count == 0, string.Join("\n", samples.Failures));
        // Every operation was answered successfully at least once, so every success schema met a real answer.
        var unexercised = samples.Schemas.Operations.Select(op => $"{op.Method} {op.Operation["operationId"]}").Except(samples.Succeeded).ToList();
        Assert.True(unexercised.Count == 0, "Never answered with a success: " + string.Join(", ", unexercised));
    }

    /// <summary>Sends sample requests and records every way an answer (or a body sent) departs from the document.</summary>
    private sealed class Samples(ApiHost host, OpenApiSchemas schemas)
    {
        public OpenApiSchemas Schemas => schemas;
        public List<string> Failures { get; } = [];
        public HashSet<string> Succeeded { get; } = [];

        /// <param name="checkBody">false for a body that is wrong on purpose.</param>
        public async Task<JsonNode?> CheckAsync(string operationId, string method, string url, HttpStatusCode expected, string? body = null,
            bool checkBody = true, HttpClient? client = null)
        {
            var (path, _, operation) = schemas.OperationNamed(operationId, method);
            var where = $"{method.ToUpperInvariant()} {url} ({operationId} {path})";
            using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, Json);
                if (checkBody)
                {
                    if (operation["requestBody"]?["content"]?[Json]?["schema"] is not { } requestSchema) Failures.Add($"{where}: no JSON request body declared");
                    else Failures.AddRange(schemas.Check(requestSchema, Element(body)).Select(e => $"{where}: the body sent: {e}"));
                }
            }
            using var response = await (client ?? host.Client).SendAsync(request);
            var problems = await ResponseProblemsAsync(schemas, operation, response, expected);
            Failures.AddRange(problems.Select(p => $"{where}: {p}"));
            if (problems.Count == 0 && (int)expected < 300) Succeeded.Add($"{method} {operationId}");
            var text = await response.Content.ReadAsStringAsync();
            return response.Content.Headers.ContentType?.MediaType is Json && text.Length > 0 ? JsonNode.Parse(text) : null;
        }
    }

    /// <summary>How <paramref name="response"/> departs from its status <paramref name="expected"/> and what <paramref name="operation"/> declares for it.</summary>
    private static async Task<List<string>> ResponseProblemsAsync(OpenApiSchemas schemas, JsonObject operation, HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected) return [$"answered {(int)response.StatusCode}, not {(int)expected}: {text}"];
        var status = ((int)expected).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation["responses"]?[status] is not { } declared) return [$"{status} is not declared"];
        // The app's own headers (X-Missing-Runs) are part of the answer too.
        var undeclaredHeaders = response.Headers.Select(h => h.Key).Where(h => h.StartsWith("X-", StringComparison.OrdinalIgnoreCase))
            .Where(h => declared["headers"]?[h] is null).ToList();
        if (undeclaredHeaders.Count > 0) return [$"{status} does not declare the header(s) {string.Join(", ", undeclaredHeaders)}"];
        // A HEAD answer is the GET answer without its body (the test server passes the body on; a real server drops it).
        if (response.RequestMessage!.Method == HttpMethod.Head) return declared["content"] is null ? [] : ["a HEAD answer declares content"];
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (text.Length == 0)
            return declared["content"] is { } content
                ? [$"answered {status} without a body, but declares {string.Join(", ", content.AsObject().Select(c => c.Key))}"]
                : [];
        if (mediaType is null || declared["content"]?[mediaType]?["schema"] is not { } schema) return [$"{status} declares no {mediaType} content"];
        // Text and bytes that are not JSON (CSV, an attached file) are declared as strings.
        if (mediaType is "text/csv" or "application/octet-stream")
            return schema["type"]?.GetValue<string>() == "string" ? [] : [$"{mediaType} is not declared as a string"];
        return schemas.Check(schema, Element(text)).Select(e => $"{status} {mediaType}: {e} in {Shorten(text)}").ToList();
    }

    private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "...";

    private static JsonElement Element(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static IEnumerable<JsonObject> AllObjects(JsonNode node) => node switch
    {
        JsonObject o => o.Select(p => p.Value).OfType<JsonNode>().SelectMany(AllObjects).Prepend(o),
        JsonArray a => a.OfType<JsonNode>().SelectMany(AllObjects),
        _ => [],
    };

    private static IEnumerable<JsonNode> AllNamed(JsonNode node, string name) =>
        AllObjects(node).Select(o => o[name]).OfType<JsonObject>();
}
