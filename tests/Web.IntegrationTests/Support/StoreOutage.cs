using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Tracker.Web.Data;

namespace Tracker.Web.IntegrationTests.Support;

/// <summary>
/// Makes the test's database unavailable for a while, then brings it back. PostgreSQL: the test server itself is
/// stopped (pg_ctl, as the postgres user when root) and started again. SQLite: tests run as root, whom a read-only
/// file or folder does not stop, so the app's connections are refused instead, by an interceptor the app picks up from
/// its container (<see cref="Interceptor"/>), failing as SQLite fails when it cannot open its file.
/// </summary>
public sealed class StoreOutage
{
    private volatile bool _down;

    /// <summary>Register it as an <see cref="IInterceptor"/> in the app's services; it does nothing until <see cref="StopAsync"/>.</summary>
    public IInterceptor Interceptor => new RefusingInterceptor(this);

    public bool IsDown => _down;

    public async Task StopAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            NpgsqlConnection.ClearAllPools();
            await PgCtlAsync("stop", "-m", "fast", "-w");
        }
        _down = true;
    }

    public async Task StartAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Postgres) await PgCtlAsync(StartArguments());
        _down = false;
    }

    private static string DataDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable("TRACKER_TEST_POSTGRES_DIR")
            ?? throw new InvalidOperationException("TRACKER_TEST_POSTGRES_DIR is not set: run the PostgreSQL tests through scripts/common.sh's start_test_postgres."), "data");

    // pg_ctl start needs the server's options again; postmaster.opts keeps the command line it was started with.
    private static string[] StartArguments()
    {
        var options = File.ReadAllText(Path.Combine(DataDirectory, "postmaster.opts")).Trim();
        var quoted = options.Split('"').Where((_, index) => index % 2 == 1).ToList();
        var serverOptions = string.Join(' ', quoted.SkipWhile(o => o != "-D").Skip(2).Select(o => o.Contains(' ') ? $"'{o}'" : o));
        return ["start", "-w", "-l", Path.Combine(Path.GetDirectoryName(DataDirectory)!, "server.log"), "-o", serverOptions];
    }

    private static async Task PgCtlAsync(params string[] arguments)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderBy(d => d, StringComparer.Ordinal).Last();
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "runuser" : Path.Combine(bin, "pg_ctl")) { RedirectStandardError = true, RedirectStandardOutput = true };
        if (asRoot)
            foreach (var argument in new[] { "-u", "postgres", "--", Path.Combine(bin, "pg_ctl") }) start.ArgumentList.Add(argument);
        start.ArgumentList.Add("-D");
        start.ArgumentList.Add(DataDirectory);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"pg_ctl {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}{await output}");
    }

    private sealed class RefusingInterceptor(StoreOutage outage) : DbConnectionInterceptor
    {
        public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
            outage._down && connection is SqliteConnection ? throw Refused() : result;

        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result,
            CancellationToken cancellationToken = default) =>
            outage._down && connection is SqliteConnection ? throw Refused() : ValueTask.FromResult(result);

        private static SqliteException Refused() => new("SQLite Error 14: 'unable to open database file' (outage injected by the test).", 14);
    }
}

/// <summary>
/// The test classes that stop the database: PostgreSQL's outage stops the one test server every class shares, so these
/// run alone, after the parallel ones, instead of failing other classes' connections.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StopsTheDatabase
{
    public const string Name = "Stops the database";
}
