using Microsoft.AspNetCore.Http.HttpResults;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Sweeps;

/// <summary>/api/sweeps: the runs one sweep queued.</summary>
public static class SweepsEndpoints
{
    public static RouteGroupBuilder MapSweeps(this RouteGroupBuilder api)
    {
        var sweeps = api.MapGroup("/sweeps").WithTags("Sweeps");
        sweeps.MapGet("/{id}", GetAsync).WithName("GetSweep")
            .WithSummary("One sweep")
            .WithDescription("Every run of the sweep in the order it was queued: status, progress, epochs and the best val/acc and val/loss. "
                + "404 when no run belongs to the sweep.");
        return api;
    }

    private static async Task<Results<Ok<SweepDetail>, ProblemHttpResult>> GetAsync(string id, TrackerDbContext context, CancellationToken cancellationToken) =>
        await SweepQueries.FindAsync(context, id, cancellationToken) is { } sweep
            ? TypedResults.Ok(sweep)
            : TypedResults.Problem(title: "No such sweep.", detail: $"There is no sweep '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
