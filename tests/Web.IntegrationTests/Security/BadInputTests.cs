using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Api;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.Security;

/// <summary>Every bad input the security review found: a 400 problem naming the field, and nothing stored.</summary>
public sealed class BadInputTests
{
    private static async Task AssertRefusedAsync(ApiHost host, HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(body)!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"no error for {field}: {body}");
        await using var context = host.Database.CreateDbContext();
        Assert.Equal(0, await context.Runs.CountAsync());
        Assert.Equal(0, await context.Jobs.CountAsync());
    }

    private static Task<HttpResponseMessage> SubmitAsync(ApiHost host, RunConfig config) => host.PostJsonAsync("/api/runs", RunConfigJson.Serialize(config));

    public static TheoryData<string, string> BadConfigs => new()
    {
        { "tags", """{"tags":[TAGS]}""".Replace("TAGS", string.Join(',', Enumerable.Range(0, 21_000).Select(i => $"\"t{i}\"")), StringComparison.Ordinal) },
        { "name", """{"name":"run\u0000zero"}""" },
        { "project", """{"project":"p\u0007"}""" },
        { "tags[0]", """{"tags":["a\u0000b"]}""" },
        { "epochs", """{"epochs":2147483647}""" },
        { "batchSize", """{"batchSize":2147483647}""" },
        { "trainSubset", """{"trainSubset":2147483647}""" },
        { "maxStepsPerEpoch", """{"maxStepsPerEpoch":2147483647}""" },
        { "dropConnect.samples", """{"dropConnect":{"rate":0.5,"inference":"gaussian","samples":2147483647}}""" },
        { "analysis.gradientSamples", """{"analysis":{"gradients":true,"gradientSamples":2147483647}}""" },
        { "analysis.wholeSetSamples", """{"analysis":{"gradients":true,"wholeSetSamples":2147483647}}""" },
        { "analysis.everySteps", """{"analysis":{"everySteps":2147483647}}""" },
        { "stepEventEvery", """{"stepEventEvery":2147483647}""" },
        { "stepEventEvery", """{"stepEventEvery":-1}""" },
        { "earlyStopping.patience", """{"earlyStopping":{"metric":"val/loss","mode":"min","patience":2147483647}}""" },
        { "batchSize", """{"batchSize":4096,"dataset":"synthetic"}""" }, // larger than the 2,048-example training set
        { "name", $$"""{"name":"{{new string('n', 201)}}"}""" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task BadConfig_Is400NamingTheField_OnSqlite(string field, string overrides) => await BadConfigAsync(DatabaseProvider.Sqlite, field, overrides);

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task BadConfig_Is400NamingTheField_OnPostgres(string field, string overrides)
    {
        if (PostgresServer.SkipReason is not null) return; // reported as skipped by the [PostgresData] tests
        await BadConfigAsync(DatabaseProvider.Postgres, field, overrides);
    }

    private static async Task BadConfigAsync(DatabaseProvider provider, string field, string overrides)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var config = JsonNode.Parse(RunConfigJson.Serialize(ApiHost.Config()))!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(overrides)!.AsObject().ToList()) config[key] = value?.DeepClone();

        using var response = await host.PostJsonAsync("/api/runs", config.ToJsonString());

        await AssertRefusedAsync(host, response, field);
    }

    [Theory, SqliteData, PostgresData]
    public async Task DatasetPathOutsideTheRoots_IsRefusedWithTheSameSentence_WhetherOrNotItExists(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var npz = ApiHost.Config() with { Dataset = KnownDatasets.Npz };

        using var existing = await SubmitAsync(host, npz with { DatasetPath = "/etc/passwd" });
        using var device = await SubmitAsync(host, npz with { DatasetPath = "/dev/zero" });
        using var missing = await SubmitAsync(host, npz with { DatasetPath = "/etc/no-such-file-here" });
        using var escaping = await SubmitAsync(host, npz with { DatasetPath = "/usr/share/datasets/../../../etc/passwd" });

        var sentences = new List<string>();
        foreach (var response in new[] { existing, device, missing, escaping })
        {
            await AssertRefusedAsync(host, response, "datasetPath");
            sentences.Add((await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!["datasetPath"]![0]!.GetValue<string>());
        }
        Assert.Single(sentences.Distinct());
        Assert.Contains("/usr/share/datasets", sentences[0]);
    }

    [Theory, SqliteData]
    public async Task DatasetPathUnderARoot_IsAccepted(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);

        using var response = await SubmitAsync(host, ApiHost.Config() with { Dataset = KnownDatasets.Npz, DatasetPath = "/usr/share/datasets/mine.npz" });

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    [Theory, SqliteData, PostgresData]
    public async Task NulInAQueryParameter_Is400NamingIt(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);

        using var response = await host.Client.GetAsync("/api/runs?project=a%00b");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject().ContainsKey("project"));
    }

    [Theory, SqliteData, PostgresData]
    public async Task NulInABodyString_Is400_AndNothingStored(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);

        using var view = await host.Client.PostAsJsonAsync("/api/views", new { name = "a\0b", query = "" });
        using var token = await host.Client.PostAsJsonAsync("/api/tokens", new { name = "t\0", scope = "read" });
        using var user = await host.Client.PostAsJsonAsync("/api/users", new { userName = "u\0", password = "a long enough password", role = "member" });

        Assert.Equal(HttpStatusCode.BadRequest, view.StatusCode);
        Assert.True((await token.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject().ContainsKey("name"));
        Assert.True((await user.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject().ContainsKey("userName"));
        await using var context = host.Database.CreateDbContext();
        Assert.Equal(0, await context.SavedViews.CountAsync());
        Assert.Equal(1, await context.ApiTokens.CountAsync()); // the bootstrap token only
        Assert.Equal(1, await context.Users.CountAsync());
    }

    [Theory, SqliteData, PostgresData]
    public async Task FortyConcurrentSubmits_OfOneNewProject_AllSucceed(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var body = RunConfigJson.Serialize(ApiHost.Config("race", project: "brand-new-project"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => host.PostJsonAsync("/api/runs", body)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        foreach (var response in responses) response.Dispose();
        await using var context = host.Database.CreateDbContext();
        Assert.Equal(1, await context.Projects.CountAsync(p => p.Name == "brand-new-project"));
        Assert.Equal(40, await context.Runs.CountAsync());
    }

    [Theory, SqliteData]
    public async Task DatabaseOutage_IsAProblem_NotAnHtmlPage(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        await using (var context = host.Database.CreateDbContext())
            await context.Database.ExecuteSqlRawAsync("DROP TABLE \"SavedViews\"");

        using var response = await host.Client.GetAsync("/api/views");

        // A failing database is told apart from a failing request: 503 with a retry hint (StorageErrors), as JSON.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
