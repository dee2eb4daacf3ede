using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Tracker.Web.Data.Configuration;

namespace Tracker.Web.Data;

/// <summary>
/// Appends metric points in batches, as the event sink hands them over, and keeps each run's
/// <see cref="RunSummary"/> rows current in the same transaction. Plain parameterized SQL per provider instead of
/// EF's change tracker: a point is never read back by this code, and 100k points go in ~10x faster this way
/// (docs/decisions/0004 has the figures).
/// </summary>
public sealed class MetricWriter(IDbContextFactory<TrackerDbContext> contexts)
{
    /// <summary>
    /// Stores <paramref name="points"/> (their <see cref="MetricPoint.Id"/> is ignored) and folds them into the
    /// summaries. NaN values are dropped: SQLite cannot store NaN and no minimum or maximum can include it; a run
    /// that diverged says so in its status. Infinities are kept.
    /// </summary>
    public async Task AppendAsync(IReadOnlyCollection<MetricPoint> points, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        await AppendInTransactionAsync(context, points, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// <see cref="AppendAsync"/> inside the transaction <paramref name="context"/> has open, so points commit together
    /// with whatever else it writes (the events they came from, the run's stored sequence).
    /// </summary>
    public static async Task AppendInTransactionAsync(TrackerDbContext context, IReadOnlyCollection<MetricPoint> points, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(points);
        var transaction = context.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Metric points are appended inside a transaction.");
        var recorded = points.Where(point => !double.IsNaN(point.Value)).ToList();
        foreach (var point in recorded) Check(point);
        if (recorded.Count == 0) return;
        var summaries = Summarize(recorded);
        var connection = context.Database.GetDbConnection();
        if (context.Database.IsSqlite())
            AppendToSqlite(connection, transaction, recorded, summaries);
        else if (context.Database.IsNpgsql())
            await AppendToPostgresAsync(connection, transaction, recorded, summaries, cancellationToken);
        else
            throw new NotSupportedException($"No metric writer for {context.Database.ProviderName}.");
        await WriteRollupsAsync(context, transaction, MetricRollups.Fold(recorded), MetricRollups.Merge, cancellationToken);
    }

    /// <summary>
    /// Before a run (re)starts: drops the points recorded after <paramref name="resumeStep"/> (the checkpoint it
    /// resumes from; 0 = none), since training reports them again, and rebuilds the run's summaries from what is left
    /// with the same SQL rule the upsert merges by. That keeps every epoch stored exactly once across restarts.
    /// </summary>
    public async Task TruncateAfterAsync(long runId, long resumeStep, int resumeEpoch,
        CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        var removed = await context.MetricPoints.Where(p => p.RunId == runId && p.Step > resumeStep).ExecuteDeleteAsync(cancellationToken);
        if (removed > 0)
        {
            await context.RunSummaries.Where(s => s.RunId == runId).ExecuteDeleteAsync(cancellationToken);
            await context.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO "RunSummaries" ("RunId", "Key", "Last", "LastStep", "Min", "Max", "Count")
                SELECT p."RunId", p."Key",
                    (SELECT q."Value" FROM "MetricPoints" q WHERE q."RunId" = p."RunId" AND q."Key" = p."Key" ORDER BY q."Step" DESC, q."Id" DESC LIMIT 1),
                    MAX(p."Step"), MIN(p."Value"), MAX(p."Value"), COUNT(*)
                FROM "MetricPoints" p WHERE p."RunId" = {runId} GROUP BY p."RunId", p."Key"
                """, cancellationToken);
            // The buckets from the resume step's on lost points: rebuilt from what is left (the earlier ones are kept).
            await context.MetricRollups.Where(r => r.RunId == runId && r.Bucket >= resumeStep / r.Span).ExecuteDeleteAsync(cancellationToken);
            await BuildRollupsAsync(context, runId, key: null, fromStep: resumeStep / MetricRollups.Spans.Max() * MetricRollups.Spans.Max(), cancellationToken);
        }
        // A run recorded before buckets existed gets them all before it records more: its new points only merge into them.
        if (!await context.MetricRollups.AnyAsync(r => r.RunId == runId, cancellationToken))
            await BuildRollupsAsync(context, runId, key: null, fromStep: 0, cancellationToken);
        await context.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.EpochsCompleted, resumeEpoch), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static void Check(MetricPoint point)
    {
        // Both providers must refuse the same points: PostgreSQL enforces the length and the UTC kind, SQLite would not.
        if (string.IsNullOrEmpty(point.Key) || point.Key.Length > Limits.Key)
            throw new ArgumentException($"A metric key must have 1 to {Limits.Key} characters; got '{point.Key}'.", nameof(point));
        if (point.Time.Kind != DateTimeKind.Utc)
            throw new ArgumentException($"Metric times must be UTC; '{point.Key}' at step {point.Step} has kind {point.Time.Kind}.", nameof(point));
    }

    /// <summary>One summary per run and key in the batch, as if the batch were the whole history.</summary>
    private static List<RunSummary> Summarize(List<MetricPoint> points)
    {
        var summaries = new Dictionary<(long RunId, string Key), MetricSummary>();
        foreach (var point in points)
            summaries[(point.RunId, point.Key)] = summaries.TryGetValue((point.RunId, point.Key), out var summary)
                ? summary.With(point.Step, point.Value)
                : MetricSummary.Of(point.Step, point.Value);
        return summaries.Select(entry => new RunSummary
        {
            RunId = entry.Key.RunId, Key = entry.Key.Key, Last = entry.Value.Last, LastStep = entry.Value.LastStep,
            Min = entry.Value.Min, Max = entry.Value.Max, Count = entry.Value.Count,
        }).ToList();
    }

    // The right-hand sides read the row as it was before the update, so each column merges old and new alike.
    // A batch of older steps (a run resumed from a checkpoint) leaves Last alone.
    private static string UpsertSummary(string source, string least, string greatest) => $"""
        INSERT INTO "RunSummaries" ("RunId", "Key", "Last", "LastStep", "Min", "Max", "Count")
        {source}
        ON CONFLICT ("RunId", "Key") DO UPDATE SET
            "Last" = CASE WHEN excluded."LastStep" >= "RunSummaries"."LastStep" THEN excluded."Last" ELSE "RunSummaries"."Last" END,
            "LastStep" = {greatest}(excluded."LastStep", "RunSummaries"."LastStep"),
            "Min" = {least}(excluded."Min", "RunSummaries"."Min"),
            "Max" = {greatest}(excluded."Max", "RunSummaries"."Max"),
            "Count" = "RunSummaries"."Count" + excluded."Count";
        """;

    private const string InsertColumns = """INSERT INTO "MetricPoints" ("RunId", "Key", "Step", "Epoch", "Value", "Time")""";

    /// <summary>
    /// SQLite runs in-process, so there are no round trips to save: one prepared statement executed per row is
    /// its fastest insert, the points through <see cref="SqliteRowWriter"/> (the few summaries through ADO.NET).
    /// Synchronous on purpose: Microsoft.Data.Sqlite's async methods run synchronously anyway.
    /// </summary>
    private static void AppendToSqlite(DbConnection connection, DbTransaction transaction, List<MetricPoint> points, List<RunSummary> summaries)
    {
        using (var insert = new SqliteRowWriter(connection, InsertColumns + " VALUES (?1, ?2, ?3, ?4, ?5, ?6);"))
            foreach (var point in points)
            {
                insert.Bind(1, point.RunId);
                insert.Bind(2, point.Key);
                insert.Bind(3, point.Step);
                insert.Bind(4, point.Epoch);
                insert.Bind(5, point.Value);
                insert.Bind(6, point.Time);
                insert.Execute();
            }

        using var upsert = Command(connection, transaction,
            UpsertSummary("VALUES ($run, $key, $last, $lastStep, $min, $max, $count)", least: "min", greatest: "max"));
        var (summaryRun, summaryKey, last, lastStep, min, max, count) =
            (Parameter(upsert, "$run"), Parameter(upsert, "$key"), Parameter(upsert, "$last"), Parameter(upsert, "$lastStep"),
             Parameter(upsert, "$min"), Parameter(upsert, "$max"), Parameter(upsert, "$count"));
        upsert.Prepare();
        foreach (var summary in summaries)
        {
            (summaryRun.Value, summaryKey.Value, last.Value, lastStep.Value, min.Value, max.Value, count.Value) =
                (summary.RunId, summary.Key, summary.Last, summary.LastStep, summary.Min, summary.Max, summary.Count);
            upsert.ExecuteNonQuery();
        }
    }

    /// <summary>PostgreSQL: the whole batch as arrays, unnested into rows, in one command and one round trip.</summary>
    private static async Task AppendToPostgresAsync(
        DbConnection connection, DbTransaction transaction, List<MetricPoint> points, List<RunSummary> summaries, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            InsertColumns + " SELECT * FROM unnest(@run, @key, @step, @epoch, @value, @time);\n"
            + UpsertSummary("SELECT * FROM unnest(@summaryRun, @summaryKey, @last, @lastStep, @min, @max, @count)", least: "LEAST", greatest: "GREATEST"));
        Parameter(command, "run").Value = points.Select(point => point.RunId).ToArray();
        Parameter(command, "key").Value = points.Select(point => point.Key).ToArray();
        Parameter(command, "step").Value = points.Select(point => point.Step).ToArray();
        Parameter(command, "epoch").Value = points.Select(point => point.Epoch).ToArray();
        Parameter(command, "value").Value = points.Select(point => point.Value).ToArray();
        Parameter(command, "time").Value = points.Select(point => point.Time).ToArray();
        Parameter(command, "summaryRun").Value = summaries.Select(summary => summary.RunId).ToArray();
        Parameter(command, "summaryKey").Value = summaries.Select(summary => summary.Key).ToArray();
        Parameter(command, "last").Value = summaries.Select(summary => summary.Last).ToArray();
        Parameter(command, "lastStep").Value = summaries.Select(summary => summary.LastStep).ToArray();
        Parameter(command, "min").Value = summaries.Select(summary => summary.Min).ToArray();
        Parameter(command, "max").Value = summaries.Select(summary => summary.Max).ToArray();
        Parameter(command, "count").Value = summaries.Select(summary => summary.Count).ToArray();
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Builds the <see cref="MetricRollup"/> buckets of a run's stored points from <paramref name="fromStep"/> on (of one
    /// key, or all when null) in one index-ordered pass, and stores those not stored yet (docs/decisions/0035). For runs
    /// recorded before buckets existed, and for the buckets a truncation cut. Inside the context's transaction when it has
    /// one, else in its own. Returns the buckets built.
    /// </summary>
    public static async Task<int> BuildRollupsAsync(TrackerDbContext context, long runId, string? key, long fromStep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var folder = new MetricRollups.Folder();
        var connection = context.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync(cancellationToken);
        var own = context.Database.CurrentTransaction is null ? await context.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            var transaction = context.Database.CurrentTransaction!.GetDbTransaction();
            await using (var read = Command(connection, transaction, ""))
            {
                read.CommandText = $"""
                    SELECT "Key", "Step", "Epoch", "Value", "Time" FROM "MetricPoints"
                    WHERE "RunId" = {read.AddParameter("run", runId)}{(key is null ? "" : $" AND \"Key\" = {read.AddParameter("key", key)}")}
                      AND "Step" >= {read.AddParameter("from", fromStep)}
                    ORDER BY "Key", "Step", "Id"
                    """;
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                // Read, not ReadAsync: a million rows each awaiting a completed task cost more than the rows themselves.
                while (reader.Read())
                    folder.Add(new MetricPoint
                    {
                        RunId = runId, Key = reader.GetString(0), Step = reader.GetInt64(1), Epoch = reader.GetInt32(2), Value = reader.GetDouble(3),
                        Time = DateTime.SpecifyKind(reader.GetDateTime(4), DateTimeKind.Utc),
                    });
            }
            var buckets = folder.Buckets;
            await WriteRollupsAsync(context, transaction, buckets, MetricRollups.InsertMissing, cancellationToken);
            if (own is not null) await own.CommitAsync(cancellationToken);
            return buckets.Count;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    /// <summary>
    /// Writes <paramref name="rollups"/> with the SQL <paramref name="statement"/> makes of a row source (a merge for a
    /// batch, an insert of the missing for a build): one prepared execution per bucket on SQLite (as the points), all of
    /// them as arrays in one command on PostgreSQL.
    /// </summary>
    private static async Task WriteRollupsAsync(TrackerDbContext context, DbTransaction transaction, List<MetricRollup> rollups,
        Func<string, string> statement, CancellationToken cancellationToken)
    {
        if (rollups.Count == 0) return;
        var connection = context.Database.GetDbConnection();
        var columns = MetricRollups.Columns;
        if (context.Database.IsSqlite())
        {
            using var upsert = Command(connection, transaction, statement($"VALUES ({string.Join(", ", columns.Select(c => "$" + c))})"));
            var parameters = columns.Select(c => Parameter(upsert, "$" + c)).ToArray();
            upsert.Prepare();
            foreach (var rollup in rollups)
            {
                var values = MetricRollups.Values(rollup);
                for (var i = 0; i < values.Length; i++) parameters[i].Value = values[i];
                upsert.ExecuteNonQuery();
            }
            return;
        }
        await using var command = Command(connection, transaction,
            statement($"SELECT * FROM unnest({string.Join(", ", columns.Select(c => "@" + c))})"));
        var rows = rollups.Select(MetricRollups.Values).ToList();
        for (var i = 0; i < columns.Count; i++)
        {
            var column = i;
            Parameter(command, columns[i]).Value = rows[0][column] switch
            {
                long => rows.Select(r => (long)r[column]).ToArray(),
                int => rows.Select(r => (int)r[column]).ToArray(),
                double => rows.Select(r => (double)r[column]).ToArray(),
                DateTime => rows.Select(r => (DateTime)r[column]).ToArray(),
                _ => (object)rows.Select(r => (string)r[column]).ToArray(),
            };
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
