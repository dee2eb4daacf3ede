using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Webhooks;
using Tracker.Web.IntegrationTests.Api;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;

namespace Tracker.Web.IntegrationTests.Webhooks;

/// <summary>A real HTTP receiver (Kestrel on 127.0.0.1, a free port) that records every request and answers as told.</summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private Receiver(WebApplication app) => _app = app;

    /// <summary>Every request in arrival order: body bytes and headers.</summary>
    public ConcurrentQueue<(byte[] Body, IHeaderDictionary Headers)> Received { get; } = new();

    public string Url { get; private set; } = "";

    /// <summary>Starts a receiver answering the n-th request (from 1) with <paramref name="status"/>(n).</summary>
    public static async Task<Receiver> StartAsync(Func<int, int> status)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            receiver.Received.Enqueue((body.ToArray(), new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value))));
            context.Response.StatusCode = status(Interlocked.Increment(ref receiver._requests));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = address + "/hook";
        return receiver;
    }

    public async Task<(byte[] Body, IHeaderDictionary Headers)> WaitForAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (Received.Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The receiver got {Received.Count} requests, expected {count}.");
            await Task.Delay(50);
        }
        return Received.ElementAt(count - 1);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed class WebhookTests : IDisposable
{
    private readonly string _runsDirectory = Directory.CreateTempSubdirectory("tracker-runs-test-").FullName;

    public void Dispose() => Directory.Delete(_runsDirectory, recursive: true);

    private TrackerAppFactory Host(TestDatabase database, int workers, int maxAttempts = 6)
    {
        var settings = database.AppSettings;
        settings["Jobs:RunsDirectory"] = _runsDirectory;
        settings["Jobs:Workers"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Jobs:HeartbeatSeconds"] = "0.2";
        settings["Jobs:LeaseSeconds"] = "5";
        settings["Jobs:PollSeconds"] = "0.1";
        settings["Webhooks:FirstRetrySeconds"] = "0.1";
        settings["Webhooks:PollSeconds"] = "0.05";
        settings["Webhooks:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new TrackerAppFactory(settings);
    }

    private static async Task<JsonNode> CreateWebhookAsync(HttpClient client, string project, string url, params string[] events)
    {
        using var response = await client.PostAsJsonAsync($"/api/projects/{project}/webhooks", new { url, events });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!;
    }

    private static async Task<WebhookDelivery> WaitForDeliveryAsync(TestDatabase database, long runId, Func<WebhookDelivery, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            await using (var context = database.CreateDbContext())
            {
                var delivery = await context.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.RunId == runId);
                if (delivery is not null && condition(delivery)) return delivery;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Delivery of run {runId}: {delivery?.Attempts} attempts, {delivery?.LastError}.");
            }
            await Task.Delay(50);
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task RunThatFinishes_IsPostedToTheProjectsWebhook_SignedWithItsSecret_AfterItsStatusIsRecorded(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync(_ => 200);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = Host(database, workers: 1);
        using var client = host.CreateClient();
        var webhook = await CreateWebhookAsync(client, "hooked", receiver.Url, WebhookEvents.Finished, WebhookEvents.Failed);
        await CreateWebhookAsync(client, "hooked", receiver.Url + "?diverged-only", WebhookEvents.Diverged);
        var secret = webhook["secret"]!.GetValue<string>();

        var submitted = await host.Services.GetRequiredService<RunSubmission>().SubmitAsync(new RunConfig
        {
            Name = "announced", Project = "hooked", Model = "mlp", Dataset = "synthetic", TrainSubset = 64, BatchSize = 32, Epochs = 2,
            Device = DeviceKind.Cpu, MaxStepsPerEpoch = 2,
        });
        var runId = submitted.RunId!.Value;
        var (body, headers) = await receiver.WaitForAsync(1);

        Assert.True(WebhookSignature.Verify(secret, body, headers[WebhookSignature.Header]), "The signature does not verify with the secret.");
        Assert.False(WebhookSignature.Verify(secret + "x", body, headers[WebhookSignature.Header]));
        Assert.Equal("finished", headers[WebhookSignature.EventHeader].ToString());
        var payload = JsonNode.Parse(body)!;
        Assert.Equal(("finished", runId, "announced", "hooked", "succeeded", AppUrls.Run(runId)),
            (payload["event"]!.GetValue<string>(), payload["runId"]!.GetValue<long>(), payload["name"]!.GetValue<string>(),
             payload["project"]!.GetValue<string>(), payload["status"]!.GetValue<string>(), payload["url"]!.GetValue<string>()));
        Assert.NotNull(payload["finishedAt"]);
        var delivery = await WaitForDeliveryAsync(database, runId, d => d.Done);
        Assert.Equal((1, (int?)200, (string?)null, true), (delivery.Attempts, delivery.LastStatusCode, delivery.LastError, delivery.DeliveredAt is not null));
        await using var context = database.CreateDbContext();
        var run = await context.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
        // Record first, then announce: the run was finished in the database before the delivery was made.
        Assert.True(run.FinishedAt <= delivery.CreatedAt);
        // Only the webhook that asked for "finished" was told.
        Assert.Single(receiver.Received);
        Assert.Equal(1, await context.WebhookDeliveries.CountAsync());
    }

    [Theory, SqliteData]
    public async Task FailingReceiver_IsRetriedWithBackoff_UntilItAccepts_AndEachAttemptIsRecorded(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync(n => n <= 2 ? 503 : 200);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = Host(database, workers: 0);
        using var client = host.CreateClient();
        await CreateWebhookAsync(client, "retried", receiver.Url, WebhookEvents.Failed);
        var runId = await FinishAsync(host, database, "retried", RunStatus.Failed, "The loader crashed.");

        var delivery = await WaitForDeliveryAsync(database, runId, d => d.Done);

        Assert.Equal((3, (int?)200, (string?)null), (delivery.Attempts, delivery.LastStatusCode, delivery.LastError));
        Assert.NotNull(delivery.DeliveredAt);
        Assert.Equal(3, receiver.Received.Count);
        // Every attempt sends the same signed bytes.
        Assert.Single(receiver.Received.Select(r => Convert.ToBase64String(r.Body)).Distinct());
        Assert.Equal("The loader crashed.", JsonNode.Parse(receiver.Received.First().Body)!["error"]!.GetValue<string>());
    }

    [Theory, SqliteData]
    public async Task ReceiverThatNeverAccepts_IsGivenUpAfterTheLastAttempt_WithItsLastAnswerRecorded(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync(_ => 500);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = Host(database, workers: 0, maxAttempts: 3);
        using var client = host.CreateClient();
        await CreateWebhookAsync(client, "refused", receiver.Url, WebhookEvents.Diverged);
        var runId = await FinishAsync(host, database, "refused", RunStatus.Diverged, "The loss became NaN at step 3 (epoch 1).");

        var delivery = await WaitForDeliveryAsync(database, runId, d => d.Done);

        Assert.Equal((3, (int?)500, false), (delivery.Attempts, delivery.LastStatusCode, delivery.DeliveredAt is not null));
        Assert.Contains("500", delivery.LastError, StringComparison.Ordinal);
        Assert.Equal("diverged", delivery.Event);
        await Task.Delay(500);
        Assert.Equal(3, receiver.Received.Count);
    }

    [Theory, SqliteData]
    public async Task CancelledRun_IsNotAnnounced(DatabaseProvider provider)
    {
        await using var receiver = await Receiver.StartAsync(_ => 200);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var host = Host(database, workers: 0);
        using var client = host.CreateClient();
        await CreateWebhookAsync(client, "quiet", receiver.Url, WebhookEvents.All.ToArray());
        var cancelled = await FinishAsync(host, database, "quiet", RunStatus.Cancelled, null);
        var succeeded = await FinishAsync(host, database, "quiet", RunStatus.Succeeded, null);

        await WaitForDeliveryAsync(database, succeeded, d => d.Done);

        await using var context = database.CreateDbContext();
        Assert.False(await context.WebhookDeliveries.AnyAsync(d => d.RunId == cancelled));
        Assert.Single(receiver.Received);
    }

    /// <summary>A run of <paramref name="project"/> recorded as ended, then its finished event published, as the worker does.</summary>
    private static async Task<long> FinishAsync(TrackerAppFactory host, TestDatabase database, string project, RunStatus status, string? error)
    {
        var runId = (await host.Services.GetRequiredService<RunSubmission>().SubmitAsync(ApiHost.Config("ended", project))).RunId!.Value;
        await using (var context = database.CreateDbContext())
            await context.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, status).SetProperty(r => r.Error, error).SetProperty(r => r.FinishedAt, DateTime.UtcNow));
        await host.Services.GetRequiredService<RunNotifier>().PublishAsync(runId,
            new RunFinishedEvent { Status = RunOutcome.Failed, Summary = new Shared.RunOutcomeSummary() });
        return runId;
    }
}

public sealed class WebhookApiTests
{
    [Theory, SqliteData]
    public async Task CreateListDelete_ShowsTheSecretOnlyOnCreation(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);

        using var created = await host.Client.PostAsJsonAsync("/api/projects/team/webhooks",
            new { url = "https://example.org/hook", events = new[] { "failed", "finished" }, secret = "0123456789abcdef-given" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var webhook = (await created.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("0123456789abcdef-given", webhook["secret"]!.GetValue<string>());
        Assert.Equal(["finished", "failed"], webhook["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        var id = webhook["id"]!.GetValue<long>();

        var list = await host.GetJsonAsync("/api/projects/team/webhooks");
        Assert.Equal([id], list.AsArray().Select(w => w!["id"]!.GetValue<long>()));
        Assert.Null(list[0]!["secret"]);
        Assert.DoesNotContain("0123456789abcdef-given", list.ToJsonString(), StringComparison.Ordinal);

        using (var deleted = await host.Client.DeleteAsync($"/api/projects/team/webhooks/{id}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using (var again = await host.Client.DeleteAsync($"/api/projects/team/webhooks/{id}"))
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Empty((await host.GetJsonAsync("/api/projects/team/webhooks")).AsArray());
        using var unknown = await host.Client.GetAsync("/api/projects/nobody/webhooks");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("""{"url": "ftp://example.org/x", "events": ["finished"]}""", "url")]
    [InlineData("""{"url": "not a url", "events": ["finished"]}""", "url")]
    [InlineData("""{"url": "https://example.org/x", "events": []}""", "events")]
    [InlineData("""{"url": "https://example.org/x", "events": ["started"]}""", "events")]
    [InlineData("""{"url": "https://example.org/x", "events": ["failed"], "secret": "short"}""", "secret")]
    public async Task InvalidWebhook_Answers400NamingTheField_AndStoresNothing(string body, string field)
    {
        await using var host = await ApiHost.StartAsync(DatabaseProvider.Sqlite);

        using var response = await host.PostJsonAsync("/api/projects/team/webhooks", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), errors.ToJsonString());
        await using var context = host.Database.CreateDbContext();
        Assert.Equal((0, 0), (await context.Webhooks.CountAsync(), await context.Projects.CountAsync()));
    }
}
