using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Extensions;

namespace Tracker.Benchmarks;

/// <summary>
/// The server's event store without its HTTP front: the app's data services on a SQLite file of their own. The ingest
/// benchmarks' reference: what the store alone does with the same points, measured in the same run.
/// </summary>
internal sealed class InProcessStore : IDisposable
{
    private readonly WebApplication _app;

    private InProcessStore(WebApplication app)
    {
        _app = app;
        Contexts = app.Services.GetRequiredService<IDbContextFactory<TrackerDbContext>>();
        Store = app.Services.GetRequiredService<RunEventStore>();
    }

    public IDbContextFactory<TrackerDbContext> Contexts { get; }

    public RunEventStore Store { get; }

    /// <summary>A run of its own project to store points into; <paramref name="loggedByScript"/> as a script's run is.</summary>
    public long AddRun(RunConfig config, bool loggedByScript = false)
    {
        using var context = Contexts.CreateDbContext();
        var project = new Project { Name = $"bench-{Guid.NewGuid():N}", CreatedAt = DateTime.UtcNow };
        var run = Run.FromConfig(config, project, DateTime.UtcNow);
        run.LoggedByScript = loggedByScript;
        context.Runs.Add(run);
        context.SaveChanges();
        return run.Id;
    }

    public static InProcessStore Start(string folder)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = folder });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "sqlite", ["Database:SqlitePath"] = Path.Combine(folder, "reference.db"),
        });
        builder.AddTrackerData();
        var app = builder.Build();
        app.StartAsync().GetAwaiter().GetResult();
        return new InProcessStore(app);
    }

    public void Dispose()
    {
        _app.StopAsync().GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
    }
}
