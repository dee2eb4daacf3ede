using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Tracker.Web.Data;

/// <summary>
/// The one place that tells a database that fails (down, unreachable, out of space) from a request or a run that
/// does: workers retry and pause on these, and the API answers them 507 or 503 instead of 500.
/// </summary>
public static class StorageErrors
{
    private const int SqliteFull = 13;
    private const string PostgresDiskFull = "53100";

    /// <summary>True when the database itself failed, so trying again later may succeed.</summary>
    public static bool IsStorageError(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error is DbException or DbUpdateException or TimeoutException || error.InnerException is DbException;
    }

    /// <summary>True when the database has no space left for the write.</summary>
    public static bool IsDiskFull(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var database = error as DbException ?? error.InnerException as DbException;
        return database switch
        {
            SqliteException sqlite => sqlite.SqliteErrorCode == SqliteFull,
            PostgresException postgres => postgres.SqlState == PostgresDiskFull,
            _ => false,
        };
    }

    /// <summary>507 Insufficient Storage for a full disk, 503 for any other database failure, null for the rest.</summary>
    public static int? HttpStatusOf(Exception error) =>
        IsDiskFull(error) ? StatusCodes.Status507InsufficientStorage
        : IsStorageError(error) ? StatusCodes.Status503ServiceUnavailable
        : null;
}
