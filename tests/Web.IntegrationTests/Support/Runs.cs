using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.IntegrationTests.Support;

/// <summary>Rows the tests need before they can store what they test.</summary>
public static class Runs
{
    public static readonly DateTime Created = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>A queued run in a new project, saved; returns its id.</summary>
    public static async Task<long> AddAsync(TestDatabase database, RunConfig? config = null)
    {
        await using var context = database.CreateDbContext();
        var project = new Project { Name = $"project-{Guid.NewGuid():N}", CreatedAt = Created };
        var run = Run.FromConfig(config ?? new RunConfig { Name = "run" }, project, Created);
        context.Runs.Add(run);
        await context.SaveChangesAsync();
        return run.Id;
    }
}
