using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using Tracker.Web.Data;

namespace Tracker.Web.Realtime;

/// <summary>
/// Live across app instances on one PostgreSQL database, with no server component of our own: every committed batch
/// of events notifies <see cref="RunEventStore.NotifyChannel"/> (in its own transaction, so only once it is stored),
/// and each instance listens here and announces the batch to its own pages and hub clients, reading the events from
/// the database. Batches this instance stored itself are already announced; the feed skips them by sequence. On
/// SQLite (one instance per file) it does nothing. A lost connection is reopened, and the runs announced meanwhile
/// catch up on their next notification (the feed reads from the last sequence it announced).
/// </summary>
public sealed class PostgresEventRelay(IOptions<DatabaseOptions> database, RunEventFeed feed, ILogger<PostgresEventRelay> logger) : BackgroundService
{
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(1);

    // Handled one at a time, in the order PostgreSQL delivered them (commit order), off the connection's thread.
    private readonly Channel<(long RunId, long FirstSeq, long LastSeq)> _committed = Channel.CreateUnbounded<(long, long, long)>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.Value.Provider != DatabaseProvider.Postgres) return;
        var announcing = Task.Run(() => AnnounceAsync(stoppingToken), CancellationToken.None);
        await ListenLoopAsync(stoppingToken);
        _committed.Writer.TryComplete();
        await announcing;
    }

    private async Task AnnounceAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (runId, firstSeq, lastSeq) in _committed.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await feed.AnnounceCommittedAsync(runId, firstSeq, lastSeq);
                }
                catch (Exception error)
                {
                    logger.LogWarning(error, "Announcing events {First}-{Last} of run {RunId} from another instance failed", firstSeq, lastSeq, runId);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ListenLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                logger.LogWarning(error, "Listening for other instances' run events failed; listening again in {Delay}", Reconnect);
                await Task.Delay(Reconnect, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        // A connection of its own, outside the pool: LISTEN belongs to the session. Keepalive notices a dead server.
        var settings = new NpgsqlConnectionStringBuilder(database.Value.ConnectionString) { Pooling = false, KeepAlive = 10 };
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        connection.Notification += (_, notification) =>
        {
            if (RunEventStore.TryParseNotifyPayload(notification.Payload, out var runId, out var firstSeq, out var lastSeq))
                _committed.Writer.TryWrite((runId, firstSeq, lastSeq));
        };
        await connection.OpenAsync(stoppingToken);
        await using (var listen = new NpgsqlCommand($"LISTEN {RunEventStore.NotifyChannel}", connection))
            await listen.ExecuteNonQueryAsync(stoppingToken);
        logger.LogInformation("Listening for run events of other instances on {Channel}", RunEventStore.NotifyChannel);
        while (true) await connection.WaitAsync(stoppingToken);
    }
}
