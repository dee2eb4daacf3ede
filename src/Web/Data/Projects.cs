using Microsoft.EntityFrameworkCore;

namespace Tracker.Web.Data;

/// <summary>Projects are made on first use, by whichever submit names them first.</summary>
public static class Projects
{
    /// <summary>
    /// The id of the project named <paramref name="name"/>, made when missing. Concurrent submits that name the same new
    /// project race on its unique name: the loser's insert fails, and it reads the winner's row instead. The insert runs
    /// in a context of its own, so a failed one (which aborts a PostgreSQL transaction) never touches the caller's work.
    /// </summary>
    public static async Task<long> GetOrCreateAsync(IDbContextFactory<TrackerDbContext> contexts, string name, DateTime now,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        for (var attempt = 0; ; attempt++)
        {
            await using var context = await contexts.CreateDbContextAsync(cancellationToken);
            if (await context.Projects.Where(p => p.Name == name).Select(p => (long?)p.Id).FirstOrDefaultAsync(cancellationToken) is { } id) return id;
            var project = new Project { Name = name, CreatedAt = now };
            context.Projects.Add(project);
            try
            {
                await context.SaveChangesAsync(cancellationToken);
                return project.Id;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another submit made it first (a unique violation); the next pass reads its row.
            }
        }
    }
}
