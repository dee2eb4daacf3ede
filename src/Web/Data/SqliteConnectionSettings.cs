using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tracker.Web.Data;

/// <summary>Per-connection SQLite settings, applied each time EF opens a connection.</summary>
internal sealed class SqliteConnectionSettings : DbConnectionInterceptor
{
    public static readonly SqliteConnectionSettings Instance = new();

    /// <summary>
    /// busy_timeout: a writer that finds the file locked waits up to this long instead of failing at once
    /// (the trainer's metric batches and the pages' reads meet often). synchronous=NORMAL is safe with WAL: a
    /// power cut can lose the last commits but never corrupts the file, and commits stop waiting for fsync.
    /// wal_autocheckpoint: <see cref="SqliteCheckpointer"/> checkpoints the log on its own thread; a commit does it only
    /// when the log has grown to <see cref="WriterCheckpointPages"/> (SQLite's default is 1,000).
    /// </summary>
    public static readonly string Pragmas = $"PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = {WriterCheckpointPages};";

    /// <summary>The log size, in pages (64 MiB of 4 KiB pages), at which a committing writer checkpoints it itself.</summary>
    public const int WriterCheckpointPages = 16000;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
