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
    /// </summary>
    public const string Pragmas = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;";

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
