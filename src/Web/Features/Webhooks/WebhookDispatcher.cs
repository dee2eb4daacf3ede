using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Realtime;

namespace Tracker.Web.Features.Webhooks;

/// <summary>
/// Announces run endings to the project's webhooks. On a run's finished event it waits until the queue has recorded
/// the run's final status (record first, then announce: the event is published before the status is stored, and a
/// cancel turns any outcome into cancelled), stores one <see cref="WebhookDelivery"/> per interested webhook, then
/// sends them. Deliveries live in the database, so retries survive a restart; each attempt's outcome is stored.
/// </summary>
public sealed class WebhookDispatcher(
    RunNotifier notifier,
    IDbContextFactory<TrackerDbContext> contexts,
    IHttpClientFactory httpClients,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    /// <summary>How long a finished event waits for the run's final status before it is announced anyway from what is stored.</summary>
    private static readonly TimeSpan RecordPatience = TimeSpan.FromSeconds(60);

    private readonly Channel<long> _finishedRuns = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = notifier.SubscribeAll((runId, trainingEvent) =>
        {
            if (trainingEvent is RunFinishedEvent) _finishedRuns.Writer.TryWrite(runId);
            return Task.CompletedTask;
        });
        try
        {
            await Task.WhenAll(AnnounceLoopAsync(stoppingToken), SendLoopAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task AnnounceLoopAsync(CancellationToken stoppingToken)
    {
        await foreach (var runId in _finishedRuns.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                if (await AnnounceAsync(runId, stoppingToken) > 0) _wake.Writer.TryWrite(true);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogError(error, "Could not queue the webhook deliveries of run {RunId}", runId);
            }
        }
    }

    /// <summary>Stores the deliveries of the run's ending once its final status is recorded; returns how many.</summary>
    public async Task<int> AnnounceAsync(long runId, CancellationToken cancellationToken)
    {
        var deadline = Now + RecordPatience;
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        Run? run;
        while (true)
        {
            run = await context.Runs.AsNoTracking().Include(r => r.Project).FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
            if (run is null) return 0;
            if (run.FinishedAt is not null && run.Status is not (RunStatus.Queued or RunStatus.Running)) break;
            if (Now > deadline)
            {
                logger.LogWarning("Run {RunId} is still {Status} after its finished event; its webhooks are not told", runId, run.Status);
                return 0;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
        if (WebhookEvents.Of(run.Status) is not { } eventName) return 0;
        var webhooks = await context.Webhooks.Where(w => w.ProjectId == run.ProjectId).ToListAsync(cancellationToken);
        webhooks = webhooks.Where(w => w.Events.Contains(eventName)).ToList();
        if (webhooks.Count == 0) return 0;
        // One delivery per webhook and run: a finished event seen twice (a resent batch) announces once.
        var told = await context.WebhookDeliveries.Where(d => d.RunId == runId).Select(d => d.WebhookId).ToListAsync(cancellationToken);
        webhooks = webhooks.Where(w => !told.Contains(w.Id)).ToList();

        var best = await context.RunSummaries.AsNoTracking().Where(s => s.RunId == runId && (s.Key == MetricKeys.ValAcc || s.Key == MetricKeys.ValLoss))
            .ToListAsync(cancellationToken);
        var payload = JsonSerializer.Serialize(new WebhookPayload(
            eventName, run.Id, run.Name, run.Project!.Name, JsonNamingPolicy.CamelCase.ConvertName(run.Status.ToString()), run.Error,
            AppUrls.Run(run.Id), run.FinishedAt,
            best.FirstOrDefault(s => s.Key == MetricKeys.ValAcc)?.Max, best.FirstOrDefault(s => s.Key == MetricKeys.ValLoss)?.Min, run.SweepId),
            TrackerJson.Options);
        var now = Now;
        foreach (var webhook in webhooks)
            context.WebhookDeliveries.Add(new WebhookDelivery
            {
                WebhookId = webhook.Id, RunId = runId, Event = eventName, Payload = payload, CreatedAt = now, NextAttemptAt = now,
            });
        await context.SaveChangesAsync(cancellationToken);
        return webhooks.Count;
    }

    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(options.Value.PollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogError(error, "Sending webhook deliveries failed");
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(poll);
            try
            {
                await _wake.Reader.WaitToReadAsync(timeout.Token);
                _wake.Reader.TryRead(out _);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>Makes one attempt at every delivery that is due.</summary>
    public async Task SendDueAsync(CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var now = Now;
        var due = await context.WebhookDeliveries.Include(d => d.Webhook)
            .Where(d => !d.Done && d.NextAttemptAt <= now).OrderBy(d => d.NextAttemptAt).Take(50).ToListAsync(cancellationToken);
        foreach (var delivery in due)
        {
            await AttemptAsync(delivery, cancellationToken);
            await context.SaveChangesAsync(cancellationToken);
        }
    }

    private async Task AttemptAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Webhook!.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(delivery.Webhook.Secret, body));
        request.Headers.Add(WebhookSignature.EventHeader, delivery.Event);
        request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        delivery.Attempts++;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            delivery.LastStatusCode = (int)response.StatusCode;
            delivery.LastError = response.IsSuccessStatusCode ? null : $"The receiver answered {(int)response.StatusCode} {response.ReasonPhrase}.";
        }
        catch (Exception error) when (error is HttpRequestException || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            delivery.LastStatusCode = null;
            delivery.LastError = error is OperationCanceledException ? $"No answer within {settings.TimeoutSeconds} s." : error.Message;
        }
        if (delivery.LastError is null)
        {
            delivery.DeliveredAt = Now;
            delivery.Done = true;
            delivery.NextAttemptAt = null;
        }
        else if (delivery.Attempts >= settings.MaxAttempts)
        {
            delivery.Done = true;
            delivery.NextAttemptAt = null;
            logger.LogWarning("Webhook delivery {Delivery} to {Url} gave up after {Attempts} attempts: {Error}",
                delivery.Id, delivery.Webhook.Url, delivery.Attempts, delivery.LastError);
        }
        else
        {
            delivery.NextAttemptAt = Now + settings.RetryDelay(delivery.Attempts);
        }
    }
}
