using System.Reflection;
using Tracker.Web.Data;
using Xunit.Sdk;

namespace Tracker.Web.IntegrationTests.Support;

/// <summary>The PostgreSQL server the tests use: the one ./test.sh starts and names in TRACKER_TEST_POSTGRES.</summary>
public static class PostgresServer
{
    public const string ConnectionStringVariable = "TRACKER_TEST_POSTGRES";
    public const string SkipVariable = "TRACKER_SKIP_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } value ? value : null;

    /// <summary>Set only when someone asked to skip and no server is given; otherwise a missing server fails the tests.</summary>
    public static string? SkipReason =>
        ConnectionString is null && Environment.GetEnvironmentVariable(SkipVariable) == "1"
            ? $"{SkipVariable}=1 and no {ConnectionStringVariable}: PostgreSQL tests skipped"
            : null;

    public static string RequireConnectionString() =>
        ConnectionString ?? throw new InvalidOperationException(
            $"{ConnectionStringVariable} is not set. Run ./test.sh, which starts a throwaway PostgreSQL and sets it, "
            + $"or set {SkipVariable}=1 to skip the PostgreSQL tests.");
}

/// <summary>Runs a theory on SQLite.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteDataAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[DatabaseProvider.Sqlite]];
}

/// <summary>Runs a theory on PostgreSQL; skipped only when TRACKER_SKIP_POSTGRES=1 says so (see <see cref="PostgresServer"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresDataAttribute : DataAttribute
{
    public PostgresDataAttribute() => Skip = PostgresServer.SkipReason!;

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[DatabaseProvider.Postgres]];
}
