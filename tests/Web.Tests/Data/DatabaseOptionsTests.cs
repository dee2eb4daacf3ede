using System.ComponentModel.DataAnnotations;
using Tracker.Web.Data;

namespace Tracker.Web.Tests.Data;

public class DatabaseOptionsTests
{
    [Fact]
    public void DefaultSqlitePath_IsTheDataFolderUnderTheContentRoot()
    {
        Assert.Equal("/srv/tracker/data/tracker.db", new DatabaseOptions().ResolveSqlitePath("/srv/tracker"));
    }

    [Fact]
    public void AbsoluteSqlitePath_IsKeptAsGiven()
    {
        Assert.Equal("/var/lib/tracker/runs.db", new DatabaseOptions { SqlitePath = "/var/lib/tracker/runs.db" }.ResolveSqlitePath("/srv/tracker"));
    }

    [Fact]
    public void Defaults_AreValid()
    {
        Assert.Empty(Validate(new DatabaseOptions()));
    }

    [Fact]
    public void Postgres_WithAConnectionString_IsValid()
    {
        Assert.Empty(Validate(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = "Host=db;Database=tracker" }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    public void Postgres_WithoutAConnectionString_IsInvalid(string? connectionString)
    {
        var error = Assert.Single(Validate(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = connectionString }));

        Assert.Contains("Database:ConnectionString is empty", error.ErrorMessage);
    }

    [Fact]
    public void Sqlite_WithAConnectionString_IsInvalid_SoAForgottenProviderIsNoticed()
    {
        var error = Assert.Single(Validate(new DatabaseOptions { ConnectionString = "Host=db;Database=tracker" }));

        Assert.Contains("Set Database:Provider to postgres", error.ErrorMessage);
    }

    [Fact]
    public void EmptySqlitePath_IsInvalid()
    {
        var error = Assert.Single(Validate(new DatabaseOptions { SqlitePath = "" }));

        Assert.Equal([nameof(DatabaseOptions.SqlitePath)], error.MemberNames);
    }

    private static List<ValidationResult> Validate(DatabaseOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
