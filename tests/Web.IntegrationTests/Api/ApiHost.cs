using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;
using Tracker.Web.Security;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>The app on its own database with no training workers, so runs stay as the test leaves them.</summary>
public sealed class ApiHost : IAsyncDisposable
{
    private ApiHost(TestDatabase database, TrackerAppFactory app)
    {
        Database = database;
        App = app;
        Client = app.CreateClient();
    }

    public TestDatabase Database { get; }
    public TrackerAppFactory App { get; }
    public HttpClient Client { get; }

    public RunSubmission Submission => App.Services.GetRequiredService<RunSubmission>();

    public JobLeases Leases => App.Services.GetRequiredService<JobLeases>();
    public MetricWriter Metrics => App.Services.GetRequiredService<MetricWriter>();

    public static async Task<ApiHost> StartAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var settings = database.AppSettings;
        settings["Jobs:Workers"] = "0";
        return new ApiHost(database, new TrackerAppFactory(settings));
    }

    /// <summary>The app on <paramref name="database"/> (which it then owns) with exactly <paramref name="settings"/>.</summary>
    public static Task<ApiHost> StartAsync(TestDatabase database, IReadOnlyDictionary<string, string?> settings) =>
        Task.FromResult(new ApiHost(database, new TrackerAppFactory(settings)));

    public static RunConfig Config(string name = "api-run", string project = "api", params string[] tags) =>
        new() { Name = name, Project = project, Tags = tags, Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic, Device = DeviceKind.Cpu };

    public async Task<long> SubmitAsync(RunConfig config)
    {
        var result = await Submission.SubmitAsync(config);
        Assert.Empty(result.Errors);
        return result.RunId!.Value;
    }

    /// <summary>Queues <paramref name="config"/> as <paramref name="owner"/>'s run.</summary>
    public async Task<long> SubmitAsAsync(string owner, RunConfig config)
    {
        var result = await Submission.SubmitAsync(config, 0, owner: owner);
        Assert.Empty(result.Errors);
        return result.RunId!.Value;
    }

    /// <summary>A new member <paramref name="userName"/> and a client holding their token of <paramref name="scope"/>.</summary>
    public async Task<HttpClient> MemberClientAsync(string userName, TokenScope scope = TokenScope.Write)
    {
        using (var created = await Client.PostAsJsonAsync("/api/users", new { userName, password = "a long enough password", role = Roles.Member }))
            Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        await using var context = Database.CreateDbContext();
        var userId = await context.Users.Where(u => u.UserName == userName).Select(u => u.Id).SingleAsync();
        var token = (await App.Services.GetRequiredService<ApiTokens>().CreateAsync(userId, "test", scope, null)).Token;
        return TestAuth.Authorize(App.CreateClient(), token);
    }

    public Task<HttpResponseMessage> PostJsonAsync(string url, string json) =>
        Client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<JsonNode> GetJsonAsync(string url)
    {
        using var response = await Client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}
