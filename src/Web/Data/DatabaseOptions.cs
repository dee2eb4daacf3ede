using System.ComponentModel.DataAnnotations;

namespace Tracker.Web.Data;

/// <summary>Where the tracker keeps its data. Bound from the "Database" section and checked at boot.</summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string SectionName = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>The SQLite file; a relative path is taken from the content root.</summary>
    [Required(AllowEmptyStrings = false)]
    public string SqlitePath { get; set; } = "data/tracker.db";

    /// <summary>An Npgsql connection string; required for, and only for, <see cref="DatabaseProvider.Postgres"/>.</summary>
    public string? ConnectionString { get; set; }

    public string ResolveSqlitePath(string contentRootPath) => Path.GetFullPath(Path.Combine(contentRootPath, SqlitePath));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(ConnectionString);
        if (Provider == DatabaseProvider.Postgres && !hasConnectionString)
            yield return new ValidationResult(
                $"{SectionName}:Provider is postgres but {SectionName}:ConnectionString is empty. Set it to an Npgsql connection string, "
                + "e.g. Database__ConnectionString='Host=db;Database=tracker;Username=tracker;Password=...'.",
                [nameof(ConnectionString)]);
        // A connection string with the default provider is almost surely a forgotten Provider=postgres:
        // failing beats quietly writing to a SQLite file nobody backs up.
        if (Provider == DatabaseProvider.Sqlite && hasConnectionString)
            yield return new ValidationResult(
                $"{SectionName}:ConnectionString is set but {SectionName}:Provider is sqlite, which does not use it. "
                + $"Set {SectionName}:Provider to postgres, or remove the connection string.",
                [nameof(Provider), nameof(ConnectionString)]);
    }
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
