using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tracker.Web.Data;

namespace Tracker.Web.IntegrationTests.Api;

public class OpenApiTests
{
    [Fact]
    public async Task OpenApiDocument_DescribesEveryApiEndpoint()
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);

        var document = (await host.Client.GetFromJsonAsync<JsonNode>("/openapi/v1.json"))!;

        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => (Path: path.Key, Method: op.Key, Operation: op.Value!)))
            .Where(op => op.Path.StartsWith("/api/", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(
            [("/api/audit", "get", "ListAudit"), ("/api/compare.csv", "get", "GetComparisonCsv"),
             ("/api/projects/{name}/webhooks", "get", "ListWebhooks"), ("/api/projects/{name}/webhooks", "post", "CreateWebhook"),
             ("/api/projects/{name}/webhooks/{id}", "delete", "DeleteWebhook"),
             ("/api/runs", "get", "ListRuns"), ("/api/runs", "post", "SubmitRun"), ("/api/runs/external", "post", "CreateScriptRun"),
             ("/api/runs/{id}", "delete", "DeleteRun"), ("/api/runs/{id}", "get", "GetRun"),
             ("/api/runs/{id}/cancel", "post", "CancelRun"), ("/api/runs/{id}/events", "get", "GetRunEvents"),
             ("/api/runs/{id}/files", "get", "ListRunFiles"), ("/api/runs/{id}/files/{name}", "get", "GetRunFile"), ("/api/runs/{id}/files/{name}", "put", "AttachRunFile"),
             ("/api/runs/{id}/finish", "post", "FinishScriptRun"), ("/api/runs/{id}/metrics", "get", "GetRunMetrics"), ("/api/runs/{id}/points", "post", "LogPoints"),
             ("/api/share", "get", "ListShareLinks"), ("/api/share", "post", "CreateShareLink"), ("/api/share/{id}", "delete", "RevokeShareLink"),
             ("/api/sweeps", "post", "SubmitSweep"), ("/api/sweeps/{id}", "get", "GetSweep"),
             ("/api/tokens", "get", "ListTokens"), ("/api/tokens", "post", "CreateToken"), ("/api/tokens/{id}", "delete", "RevokeToken"),
             ("/api/users", "get", "ListUsers"), ("/api/users", "post", "CreateUser"), ("/api/users/{id}", "patch", "UpdateUser"),
             ("/api/views", "get", "ListViews"), ("/api/views", "post", "SaveView"), ("/api/views/{id}", "delete", "DeleteView")],
            operations.Select(op => (op.Path, op.Method, op.Operation["operationId"]!.GetValue<string>())).Order());
        Assert.All(operations, op => Assert.False(string.IsNullOrWhiteSpace(op.Operation["description"]?.GetValue<string>())));
        Assert.NotNull(document["paths"]!["/api/runs"]!["post"]!["requestBody"]!["content"]!["application/json"]);
        var metrics = document["paths"]!["/api/runs/{id}/metrics"]!["get"]!;
        Assert.Contains(metrics["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "maxPoints" && p["in"]!.GetValue<string>() == "query");
        Assert.Contains("maxPoints", metrics["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(document["paths"]!["/api/sweeps"]!["post"]!["requestBody"]!["content"]!["application/json"]);
    }
}
