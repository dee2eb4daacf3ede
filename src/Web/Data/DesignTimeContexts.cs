using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Tracker.Web.Data;

// Used only by `dotnet ef migrations add` (docs/decisions/0004): the app's host registers both contexts but
// allows only the configured provider's, so the tool builds each provider's context here instead. Neither
// opens a connection: scaffolding compares the model with the snapshot.

/// <summary>The SQLite context as <c>dotnet ef</c> sees it.</summary>
internal sealed class SqliteDesignTimeContextFactory : IDesignTimeDbContextFactory<SqliteTrackerDbContext>
{
    public SqliteTrackerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTrackerDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>The PostgreSQL context as <c>dotnet ef</c> sees it.</summary>
internal sealed class PostgresDesignTimeContextFactory : IDesignTimeDbContextFactory<PostgresTrackerDbContext>
{
    public PostgresTrackerDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresTrackerDbContext>().UseNpgsql("Host=design-time;Database=tracker").Options);
}
