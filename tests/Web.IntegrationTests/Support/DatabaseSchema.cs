using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Tracker.Web.Data;

namespace Tracker.Web.IntegrationTests.Support;

/// <summary>
/// Tables, columns, keys and indexes in one comparable form, read either from the EF model (what the code
/// expects) or from a real database (what the migrations built). The migrations are hand-written, so this
/// comparison is what catches a model change that has no migration.
/// </summary>
public sealed record DatabaseSchema(IReadOnlyList<TableSchema> Tables)
{
    /// <summary>Tables EF keeps for itself; the model does not describe them.</summary>
    private static readonly string[] MigrationTables = ["__EFMigrationsHistory", "__EFMigrationsLock"];

    public static DatabaseSchema FromModel(TrackerDbContext context)
    {
        var model = context.GetService<IDesignTimeModel>().Model.GetRelationalModel();
        return new DatabaseSchema(model.Tables
            .Select(table => new TableSchema(
                table.Name,
                table.Columns.Select(column => new ColumnSchema(column.Name, column.StoreType, column.IsNullable)).OrderBy(c => c.Name).ToList(),
                table.PrimaryKey!.Columns.Select(column => column.Name).ToList(),
                table.Indexes.Select(index => new IndexSchema(index.Name, index.Columns.Select(column => column.Name).ToList(), index.IsUnique))
                    .OrderBy(index => index.Name).ToList(),
                table.ForeignKeyConstraints.Select(key => PointedAtMainTable(key) ?? new ForeignKeySchema(
                        key.Columns.Select(column => column.Name).ToList(),
                        key.PrincipalTable.Name,
                        key.PrincipalColumns.Select(column => column.Name).ToList(),
                        OnDelete(key.OnDeleteAction)))
                    .OrderBy(key => key.ToString()).ToList()))
            .OrderBy(table => table.Name)
            .ToList());
    }

    /// <summary>
    /// EF's relational model points a foreign key to an entity split over tables (Run, config in RunConfigs) at a fragment
    /// table, not the entity's own (dotnet/efcore#29915). The migrations point it at the main table, where the row and its
    /// deletes start; this says so in the model's terms. Null when the key already points at its principal's main table.
    /// </summary>
    private static ForeignKeySchema? PointedAtMainTable(IForeignKeyConstraint key)
    {
        var principal = key.MappedForeignKeys.First().PrincipalKey;
        var mainTable = principal.DeclaringEntityType.GetTableName();
        if (mainTable is null || mainTable == key.PrincipalTable.Name) return null;
        var main = StoreObjectIdentifier.Table(mainTable, principal.DeclaringEntityType.GetSchema());
        return new ForeignKeySchema(
            key.Columns.Select(column => column.Name).ToList(),
            mainTable,
            principal.Properties.Select(property => property.GetColumnName(main)!).ToList(),
            OnDelete(key.OnDeleteAction));
    }

    public static async Task<DatabaseSchema> ReadAsync(TrackerDbContext context)
    {
        var connection = context.Database.GetDbConnection();
        await context.Database.OpenConnectionAsync();
        try
        {
            return context.Database.IsSqlite() ? await ReadSqliteAsync(connection) : await ReadPostgresAsync(connection);
        }
        finally
        {
            await context.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Every way the two schemas differ, one readable line each; empty when they match.</summary>
    public static IReadOnlyList<string> Differences(DatabaseSchema expected, DatabaseSchema actual)
    {
        var differences = new List<string>();
        var actualTables = actual.Tables.ToDictionary(table => table.Name);
        foreach (var table in actual.Tables.Where(table => expected.Tables.All(t => t.Name != table.Name)))
            differences.Add($"table {table.Name} is in the database but not in the model");
        foreach (var table in expected.Tables)
        {
            if (!actualTables.TryGetValue(table.Name, out var built))
            {
                differences.Add($"table {table.Name} is in the model but not in the database");
                continue;
            }
            Compare(differences, $"{table.Name} column", table.Columns, built.Columns, column => column.Name);
            if (!table.PrimaryKey.SequenceEqual(built.PrimaryKey))
                differences.Add($"{table.Name} primary key: model ({string.Join(", ", table.PrimaryKey)}), database ({string.Join(", ", built.PrimaryKey)})");
            Compare(differences, $"{table.Name} index", table.Indexes, built.Indexes, index => index.Name);
            Compare(differences, $"{table.Name} foreign key", table.ForeignKeys, built.ForeignKeys, key => key.ToString());
        }
        return differences;
    }

    private static void Compare<T>(List<string> differences, string what, IReadOnlyList<T> expected, IReadOnlyList<T> actual, Func<T, string> name)
        where T : notnull
    {
        foreach (var item in expected.Where(item => !actual.Contains(item)))
        {
            var built = actual.FirstOrDefault(other => name(other) == name(item));
            differences.Add(built is null
                ? $"{what} {name(item)} is in the model but not in the database: {item}"
                : $"{what} {name(item)} differs: model {item}, database {built}");
        }
        foreach (var item in actual.Where(item => expected.All(other => name(other) != name(item))))
            differences.Add($"{what} {name(item)} is in the database but not in the model: {item}");
    }

    private static string OnDelete(ReferentialAction action) => action switch
    {
        ReferentialAction.Cascade => "CASCADE",
        ReferentialAction.SetNull => "SET NULL",
        ReferentialAction.SetDefault => "SET DEFAULT",
        ReferentialAction.Restrict => "RESTRICT",
        _ => "NO ACTION",
    };

    private static async Task<DatabaseSchema> ReadSqliteAsync(DbConnection connection)
    {
        var tables = new List<TableSchema>();
        var names = await QueryAsync(connection,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            row => row.GetString(0));
        foreach (var table in names.Except(MigrationTables))
        {
            var columns = await QueryAsync(connection, $"PRAGMA table_info(\"{table}\")",
                row => (Name: row.GetString(1), Type: row.GetString(2), NotNull: row.GetInt64(3) != 0, KeyOrdinal: row.GetInt64(5)));
            var indexes = new List<IndexSchema>();
            // origin 'c': made by CREATE INDEX, as EF makes indexes; 'pk' and 'u' come with the table.
            var indexList = await QueryAsync(connection, $"PRAGMA index_list(\"{table}\")",
                row => (Name: row.GetString(1), Unique: row.GetInt64(2) != 0, Origin: row.GetString(3)));
            foreach (var index in indexList.Where(index => index.Origin == "c"))
            {
                var indexColumns = await QueryAsync(connection, $"PRAGMA index_info(\"{index.Name}\")", row => (Rank: row.GetInt64(0), Name: row.GetString(2)));
                indexes.Add(new IndexSchema(index.Name, indexColumns.OrderBy(c => c.Rank).Select(c => c.Name).ToList(), index.Unique));
            }
            var keyColumns = await QueryAsync(connection, $"PRAGMA foreign_key_list(\"{table}\")",
                row => (Id: row.GetInt64(0), Rank: row.GetInt64(1), Principal: row.GetString(2), From: row.GetString(3), To: row.GetString(4), OnDelete: row.GetString(6)));
            var foreignKeys = keyColumns.GroupBy(column => column.Id)
                .Select(key => new ForeignKeySchema(
                    key.OrderBy(c => c.Rank).Select(c => c.From).ToList(),
                    key.First().Principal,
                    key.OrderBy(c => c.Rank).Select(c => c.To).ToList(),
                    key.First().OnDelete))
                .ToList();
            tables.Add(new TableSchema(
                table,
                columns.Select(column => new ColumnSchema(column.Name, column.Type, !column.NotNull)).OrderBy(c => c.Name).ToList(),
                columns.Where(column => column.KeyOrdinal > 0).OrderBy(column => column.KeyOrdinal).Select(column => column.Name).ToList(),
                indexes.OrderBy(index => index.Name).ToList(),
                foreignKeys.OrderBy(key => key.ToString()).ToList()));
        }
        return new DatabaseSchema(tables.OrderBy(table => table.Name).ToList());
    }

    private static async Task<DatabaseSchema> ReadPostgresAsync(DbConnection connection)
    {
        var tables = new List<TableSchema>();
        var names = await QueryAsync(connection,
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY 1",
            row => row.GetString(0));
        foreach (var table in names.Except(MigrationTables))
        {
            var relation = $"'\"{table}\"'::regclass";
            // format_type writes types as EF's store types do: "character varying(64)", "timestamp with time zone", "text[]".
            var columns = await QueryAsync(connection,
                $"SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute WHERE attrelid = {relation} AND attnum > 0 AND NOT attisdropped",
                row => new ColumnSchema(row.GetString(0), row.GetString(1), !row.GetBoolean(2)));
            var indexes = await QueryAsync(connection,
                $"""
                SELECT i.relname, x.indisunique, x.indisprimary,
                       ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, rank)
                             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.rank)
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = {relation}
                """,
                row => (Index: new IndexSchema(row.GetString(0), row.GetFieldValue<string[]>(3), row.GetBoolean(1)), Primary: row.GetBoolean(2)));
            var foreignKeys = await QueryAsync(connection,
                $"""
                SELECT ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, rank)
                             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.rank),
                       p.relname,
                       ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, rank)
                             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.rank),
                       c.confdeltype::text
                FROM pg_constraint c JOIN pg_class p ON p.oid = c.confrelid
                WHERE c.conrelid = {relation} AND c.contype = 'f'
                """,
                row => new ForeignKeySchema(row.GetFieldValue<string[]>(0), row.GetString(1), row.GetFieldValue<string[]>(2), row.GetString(3) switch
                {
                    "c" => "CASCADE",
                    "n" => "SET NULL",
                    "d" => "SET DEFAULT",
                    "r" => "RESTRICT",
                    _ => "NO ACTION",
                }));
            tables.Add(new TableSchema(
                table,
                columns.OrderBy(c => c.Name).ToList(),
                indexes.Where(index => index.Primary).Select(index => index.Index.Columns).SingleOrDefault() ?? [],
                indexes.Where(index => !index.Primary).Select(index => index.Index).OrderBy(index => index.Name).ToList(),
                foreignKeys.OrderBy(key => key.ToString()).ToList()));
        }
        return new DatabaseSchema(tables.OrderBy(table => table.Name).ToList());
    }

    private static async Task<List<T>> QueryAsync<T>(DbConnection connection, string sql, Func<DbDataReader, T> read)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }
}

public sealed record TableSchema(
    string Name, IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<string> PrimaryKey, IReadOnlyList<IndexSchema> Indexes, IReadOnlyList<ForeignKeySchema> ForeignKeys);

public sealed record ColumnSchema(string Name, string StoreType, bool IsNullable)
{
    // SQLite writes declared types as given; EF gives them in upper case. Case never matters to either database.
    public bool Equals(ColumnSchema? other) =>
        other is not null && Name == other.Name && IsNullable == other.IsNullable && string.Equals(StoreType, other.StoreType, StringComparison.OrdinalIgnoreCase);

    public override int GetHashCode() => HashCode.Combine(Name, IsNullable, StoreType.ToUpperInvariant());

    public override string ToString() => $"{StoreType} {(IsNullable ? "NULL" : "NOT NULL")}";
}

public sealed record IndexSchema(string Name, IReadOnlyList<string> Columns, bool IsUnique)
{
    public bool Equals(IndexSchema? other) => other is not null && Name == other.Name && IsUnique == other.IsUnique && Columns.SequenceEqual(other.Columns);

    public override int GetHashCode() => HashCode.Combine(Name, IsUnique, string.Join(",", Columns));

    public override string ToString() => $"{(IsUnique ? "UNIQUE " : "")}({string.Join(", ", Columns)})";
}

public sealed record ForeignKeySchema(IReadOnlyList<string> Columns, string PrincipalTable, IReadOnlyList<string> PrincipalColumns, string OnDelete)
{
    public bool Equals(ForeignKeySchema? other) => other is not null && ToString() == other.ToString();

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    public override string ToString() =>
        $"({string.Join(", ", Columns)}) -> {PrincipalTable} ({string.Join(", ", PrincipalColumns)}) ON DELETE {OnDelete}";
}
