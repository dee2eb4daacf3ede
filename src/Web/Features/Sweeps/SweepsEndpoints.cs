using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Sweeps;

/// <summary>/api/sweeps: queue a sweep (grid or random search), read the runs one sweep queued.</summary>
public static class SweepsEndpoints
{
    /// <summary>A sweep body is a config plus a search space; a megabyte is far more than any needs.</summary>
    public const int MaxBodyBytes = 1 << 20;

    // Strict like a config file: a misspelt field ("earlystop") is a 400, not a sweep without early stopping.
    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    public static RouteGroupBuilder MapSweeps(this RouteGroupBuilder api)
    {
        var sweeps = api.MapGroup("/sweeps").WithTags("Sweeps");
        sweeps.MapPost("/", SubmitAsync).WithName("SubmitSweep")
            .WithSummary("Queue a sweep")
            .WithDescription("The body is {base: a run config, grid: {methods, models, seeds} | search: {parameters: [{path, kind: "
                + "uniform|logUniform|integer|choice, low, high, choices}], seed, maxRuns}, earlyStop: {metric, minRuns, minEpoch} (optional), "
                + "priority}. A random search draws maxRuns configs from its seed, so the same body queues the same configs. "
                + "earlyStop stops a run whose metric is worse than the median of the sweep's completed runs at the same epoch "
                + "(it ends cancelled, with the reason on its page). 201 with the sweep id, its page and its run ids; 400 with field "
                + "errors (base.lr, search.parameters[1].low, grid.seeds, earlyStop.metric) when anything is wrong, and nothing is stored then.")
            .Accepts<SweepRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        sweeps.MapGet("/{id}", GetAsync).WithName("GetSweep")
            .WithSummary("One sweep")
            .WithDescription("Every run of the sweep in the order it was queued: status, progress, epochs and the best val/acc and val/loss. "
                + "404 when no run belongs to the sweep.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Results<Created<SubmittedSweep>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        HttpRequest request, SweepSubmitter submitter, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        SweepRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<SweepRequest>(request.Body, BodyOptions, cancellationToken);
        }
        catch (BadHttpRequestException ex)
        {
            return TypedResults.Problem(title: "The body could not be read.", detail: ex.Message, statusCode: ex.StatusCode);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem(title: "The body is not a valid sweep.", detail: Shared.TrackerJson.Describe(ex, "sweep"),
                statusCode: StatusCodes.Status400BadRequest);
        }
        if (body is null)
            return TypedResults.Problem(title: "The body is not a valid sweep.", detail: "Expected a JSON object, found null.", statusCode: StatusCodes.Status400BadRequest);

        var plan = SweepPlanner.Plan(body);
        var errors = plan.Errors;
        if (plan.Sweep is { } planned)
        {
            var submission = await submitter.SubmitAsync(planned, user, body.Priority ?? 0, cancellationToken);
            if (submission.Succeeded)
            {
                var url = AppUrls.Sweep(submission.SweepId!);
                return TypedResults.Created(url, new SubmittedSweep(submission.SweepId!, url, submission.RunIds));
            }
            errors = submission.Errors;
        }
        return TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: "The sweep has invalid fields.");
    }

    private static async Task<Results<Ok<SweepDetail>, ProblemHttpResult>> GetAsync(string id, TrackerDbContext context, CancellationToken cancellationToken) =>
        await SweepQueries.FindAsync(context, id, cancellationToken) is { } sweep
            ? TypedResults.Ok(sweep)
            : TypedResults.Problem(title: "No such sweep.", detail: $"There is no sweep '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
