using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Tracker.Web.Data;

/// <summary>
/// One prepared SQLite statement executed once per row through SQLitePCL, the library Microsoft.Data.Sqlite itself
/// calls: parameters bound by position into stack buffers, no reader or parameter objects per row. The hot inserts of
/// metric ingest only (points and events): there ADO.NET's per-execution bookkeeping cost about half of each row's CPU
/// (docs/decisions/0011 has the figures). Values are written exactly as Microsoft.Data.Sqlite writes them, so EF reads
/// them back unchanged, and failures surface as the same <see cref="SqliteException"/> (disk full stays SQLITE_FULL).
/// The statement runs in whatever transaction the connection has open.
/// </summary>
public sealed class SqliteRowWriter : IDisposable
{
    // Microsoft.Data.Sqlite's text form of a DateTime (SqliteValueBinder); a test compares the two.
    private const string DateTimeFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF";

    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;
    private readonly byte[] _lastTimeText = new byte[32];
    private DateTime _lastTime;
    private int _lastTimeLength;

    public SqliteRowWriter(DbConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _database = ((SqliteConnection)connection).Handle
            ?? throw new InvalidOperationException("The SQLite connection is not open.");
        Check(raw.sqlite3_prepare_v2(_database, sql, out _statement));
    }

    /// <summary>Binds the 1-based parameter <paramref name="index"/>.</summary>
    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void Bind(int index, double value) => Check(raw.sqlite3_bind_double(_statement, index, value));

    public void Bind(int index, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length <= 1024)
        {
            Span<byte> small = stackalloc byte[length];
            Check(raw.sqlite3_bind_text(_statement, index, small[..Encoding.UTF8.GetBytes(value, small)]));
            return;
        }
        // A script's batch of 10,000 points is one event of about a megabyte: a fresh array each time was a large-object
        // allocation per batch, and those make the GC collect every generation. SQLite copies the text as it binds.
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Check(raw.sqlite3_bind_text(_statement, index, rented.AsSpan(0, Encoding.UTF8.GetBytes(value, rented))));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public void Bind(int index, DateTime value)
    {
        // The points of one event share its time: formatting it once per row cost as much as the insert itself.
        if (value != _lastTime || _lastTimeLength == 0)
        {
            if (!value.TryFormat(_lastTimeText, out _lastTimeLength, DateTimeFormat, CultureInfo.InvariantCulture))
                throw new InvalidOperationException($"{value:O} does not fit SQLite's date text.");
            _lastTime = value;
        }
        Check(raw.sqlite3_bind_text(_statement, index, _lastTimeText.AsSpan(0, _lastTimeLength)));
    }

    /// <summary>Executes the statement with the values bound, then readies it for the next row.</summary>
    public void Execute()
    {
        var result = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (result != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(result, _database);
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(result, _database);
    }
}
