using Microsoft.Data.Sqlite;
using Tracker.Web.Data;

namespace Tracker.Web.IntegrationTests.Storage;

public class SqliteRowWriterTests
{
    private const string Table = """CREATE TABLE "Rows" ("Source" TEXT NOT NULL, "Id" INTEGER NOT NULL, "Text" TEXT NOT NULL, "Number" REAL NOT NULL, "Time" TEXT NOT NULL, UNIQUE ("Source", "Id"));""";

    public static TheoryData<long, string, double, DateTime> Values => new()
    {
        { 1, "val/acc", 0.5, new DateTime(2026, 11, 28, 13, 5, 7, DateTimeKind.Utc) },
        // Seven digits of fraction, and trailing zeros that ADO.NET's format drops.
        { long.MaxValue, "train/loss·ü 漢字", double.PositiveInfinity, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_567) },
        { -3, new string('k', 300), -1e-300, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_200_000) },
        // Longer than the stack buffer: bound from the heap.
        { 0, new string('€', 2000), double.NegativeInfinity, DateTime.MinValue },
    };

    /// <summary>EF reads what the row writer stores: it must be byte for byte what Microsoft.Data.Sqlite would have written.</summary>
    [Theory, MemberData(nameof(Values))]
    public void StoresEachValue_AsMicrosoftDataSqliteWouldHave(long id, string text, double number, DateTime time)
    {
        using var connection = Open();
        using (var ado = connection.CreateCommand())
        {
            ado.CommandText = """INSERT INTO "Rows" VALUES ('ado', $id, $text, $number, $time)""";
            ado.Parameters.AddWithValue("$id", id);
            ado.Parameters.AddWithValue("$text", text);
            ado.Parameters.AddWithValue("$number", number);
            ado.Parameters.AddWithValue("$time", time);
            ado.ExecuteNonQuery();
        }
        using (var writer = new SqliteRowWriter(connection, """INSERT INTO "Rows" VALUES ('raw', ?1, ?2, ?3, ?4)"""))
        {
            writer.Bind(1, id);
            writer.Bind(2, text);
            writer.Bind(3, number);
            writer.Bind(4, time);
            writer.Execute();
        }

        var rows = Read(connection);
        Assert.Equal(2, rows.Count);
        Assert.Equal(rows["ado"], rows["raw"]);
        Assert.Equal((id, text, number, time), (rows["raw"].Id, rows["raw"].Text, rows["raw"].Number, DateTime.SpecifyKind(DateTime.Parse(rows["raw"].Time, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc)));
    }

    [Fact]
    public void ExecutesOncePerRow_WithTheLastBoundValues()
    {
        using var connection = Open();
        using (var writer = new SqliteRowWriter(connection, """INSERT INTO "Rows" VALUES (?1, ?2, 'x', ?3, '2026-01-01 00:00:00')"""))
            for (var i = 1; i <= 3; i++)
            {
                writer.Bind(1, $"row{i}");
                writer.Bind(2, i);
                writer.Bind(3, i * 1.5);
                writer.Execute();
            }

        Assert.Equal(new[] { ("row1", 1L, 1.5), ("row2", 2L, 3.0), ("row3", 3L, 4.5) },
            Read(connection).OrderBy(r => r.Key).Select(r => (r.Key, r.Value.Id, r.Value.Number)));
    }

    /// <summary>The writer keeps the last time's text: a row with another time must not get it.</summary>
    [Fact]
    public void RowsWithTheSameAndOtherTimes_EachStoreTheirOwn()
    {
        using var connection = Open();
        var first = new DateTime(2026, 11, 28, 13, 5, 7, DateTimeKind.Utc).AddTicks(5);
        var times = new[] { first, first, first.AddTicks(1), first, DateTime.SpecifyKind(first, DateTimeKind.Unspecified).AddSeconds(1) };
        using (var writer = new SqliteRowWriter(connection, """INSERT INTO "Rows" VALUES ('raw' || ?1, ?1, 'x', 1, ?2)"""))
            for (var i = 0; i < times.Length; i++)
            {
                writer.Bind(1, i);
                writer.Bind(2, times[i]);
                writer.Execute();
            }

        Assert.Equal(times.Select(t => t.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture)),
            Read(connection).OrderBy(r => r.Value.Id).Select(r => r.Value.Time));
    }

    /// <summary>Storage errors are classified by their SQLite code (disk full is 507): the row writer must raise what ADO.NET raises.</summary>
    [Fact]
    public void AFailedRow_RaisesTheSqliteErrorOfAdoNet_AndTheWriterGoesOn()
    {
        using var connection = Open();
        using var writer = new SqliteRowWriter(connection, """INSERT INTO "Rows" VALUES ('raw' || ?1, ?1, 'x', 1, '2026-01-01 00:00:00')""");
        writer.Bind(1, 7);
        writer.Execute();

        var error = Assert.Throws<SqliteException>(writer.Execute);

        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Contains("UNIQUE", error.Message, StringComparison.Ordinal);
        writer.Bind(1, 8);
        writer.Execute();
        Assert.Equal(new long[] { 7, 8 }, Read(connection).Values.Select(r => r.Id).Order());
    }

    [Fact]
    public void BadSql_FailsWhenPrepared()
    {
        using var connection = Open();
        var error = Assert.Throws<SqliteException>(() => new SqliteRowWriter(connection, """INSERT INTO "Missing" VALUES (?1)"""));
        Assert.Contains("no such table", error.Message, StringComparison.Ordinal);
    }

    private static SqliteConnection Open()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = Table;
        create.ExecuteNonQuery();
        return connection;
    }

    private static Dictionary<string, (long Id, string Text, double Number, string Time, string Types)> Read(SqliteConnection connection)
    {
        using var read = connection.CreateCommand();
        // typeof() too: a value stored as another SQLite type would read back the same through a lenient reader.
        read.CommandText = """SELECT "Source", "Id", "Text", "Number", "Time", typeof("Id") || typeof("Text") || typeof("Number") || typeof("Time") FROM "Rows" """;
        using var reader = read.ExecuteReader();
        var rows = new Dictionary<string, (long, string, double, string, string)>();
        while (reader.Read())
            rows[reader.GetString(0)] = (reader.GetInt64(1), reader.GetString(2), reader.GetDouble(3), reader.GetString(4), reader.GetString(5));
        return rows;
    }
}
