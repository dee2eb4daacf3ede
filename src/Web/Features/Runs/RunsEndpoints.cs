using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Features.Runs.Filtering;
using Tracker.Web.Security;

namespace Tracker.Web.Features.Runs;

/// <summary>/api/runs: submit, list, read, rename, archive, cancel, trash and restore runs; /api/trash: the trash.</summary>
public static class RunsEndpoints
{
    /// <summary>The largest run config body accepted; a config is a few kilobytes, and Kestrel refuses anything past this before it is read.</summary>
    public const int MaxConfigBytes = 1 << 20;

    public static RouteGroupBuilder MapRuns(this RouteGroupBuilder api)
    {
        var runs = api.MapGroup("/runs").WithTags("Runs");
        runs.MapPost("/", SubmitAsync).WithName("SubmitRun")
            .WithSummary("Queue a run")
            .WithDescription("The body is a run config (the JSON the CLI and the UI use). 201 with the new run's id and UI URL, "
                + "400 with field errors (camelCase paths such as dropout.cutoffEpoch) when it is invalid; nothing is stored then. "
                + "priority: higher runs first (default 0).")
            .Accepts<RunConfig>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithMetadata(new RequestSizeLimitAttribute(MaxConfigBytes));
        runs.MapGet("/", ListAsync).WithName("ListRuns")
            .WithSummary("List runs, a page at a time")
            .WithDescription($"Filters: project, status, tag, method, and q, a filter-language query such as "
                + "model = vit-nano AND (method = \"early dropout\" OR method = \"early s.d.\") AND val/acc > 80 (400 naming the column of a mistake). "
                + "sort: created (default), name, status (by name), valAcc (runs without one last), project, model or method; desc=true reverses. "
                + $"page counts from 1; pageSize 1 to {RunQueries.MaxPageSize} (default {RunQueries.DefaultPageSize}). "
                + "archived: hide (default: archived runs are left out), include or only. Runs in the trash are never listed (GET /api/trash).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        runs.MapGet("/{id:long}", GetAsync).WithName("GetRun")
            .WithSummary("One run")
            .WithDescription("The run with its config, status, error and the last/min/max of every metric. 404 for an unknown run.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapGet("/{id:long}/events", EventsAsync).WithName("GetRunEvents")
            .WithSummary("A run's events after a sequence number")
            .WithDescription("The run's stored training events with seq greater than after (default 0: from the first), in order, "
                + $"at most limit (1 to {MaxEventsPage}, default {MaxEventsPage}); each has its integer seq and its type. A client that "
                + "lost its live connection asks for the events after the last seq it saw, then rejoins the hub. 404 for an unknown run.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapPost("/{id:long}/cancel", CancelAsync).WithName("CancelRun")
            .WithSummary("Cancel a run")
            .WithDescription("200 when a queued run was cancelled, 202 when a running run was asked to stop (within a step), "
                + "404 for an unknown run, 409 when the run has already finished, 403 for someone else's run (admins may cancel any).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapPatch("/{id:long}", UpdateAsync).WithName("UpdateRun")
            .WithSummary("Rename, archive or unarchive a run")
            .WithDescription("The body names what changes: name (1 to 200 characters; the config's name changes with it) and/or "
                + "archived (true hides the run from lists unless they ask for archived runs; false brings it back). 200 with the run, "
                + "400 naming the field, 404 for an unknown run or one in the trash, 403 for someone else's run (admins may change any).")
            .Accepts<RunChange>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteRun")
            .WithSummary("Move a finished run to the trash")
            .WithDescription("The run leaves every list, comparison, share link and export, and keeps its metrics and checkpoints until an "
                + "admin empties the trash (DELETE /api/trash); POST /api/runs/{id}/restore brings it back. 204 when moved, 404 for an unknown "
                + "run or one already in the trash, 403 for someone else's run (admins may delete any), 409 while it is queued or running "
                + "(cancel it first).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapPost("/{id:long}/restore", RestoreAsync).WithName("RestoreRun")
            .WithSummary("Bring a run back from the trash")
            .WithDescription("200 with the run, 404 when the run is not in the trash (or the trash was emptied), 403 for someone else's run "
                + "(admins may restore any).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        runs.MapPost("/bulk", BulkAsync).WithName("BulkRunAction")
            .WithSummary("Tag, untag, cancel, archive, unarchive, delete or compare many runs")
            .WithDescription("The body names the action (tag, untag, cancel, archive, unarchive, delete, compare) and either runs, the ids "
                + "of the ticked runs, or filter, every run GET /api/runs would list with those parameters (q, project, status, tag, method, "
                + $"archived), at most {RunBulkActions.MaxRuns}; tag and untag also take tag. Each run is changed as its own endpoint "
                + "would change it, with the same permission: 200 with each run's outcome (done, stopRequested, unchanged, notFound, "
                + "notYours, stillActive, alreadyFinished, loggedByScript, invalid) and their counts; compare changes nothing and answers "
                + "with the comparison's URL. 400 naming the field (action, runs, filter.q, tag...) when the request cannot run; "
                + "nothing is changed then.")
            .Accepts<BulkRunRequest>("application/json")
            .ProducesValidationProblem();

        var trash = api.MapGroup("/trash").WithTags("Runs");
        trash.MapGet("/", ListTrashAsync).WithName("ListTrash")
            .WithSummary("The runs in the trash")
            .WithDescription("Every run moved to the trash and not yet emptied, last deleted first: the only listing that shows them.");
        trash.MapDelete("/", EmptyTrashAsync).WithName("EmptyTrash")
            .WithSummary("Empty the trash (admins)")
            .WithDescription("Deletes every run in the trash for good: their metric points, rollups, summaries, events, share links, "
                + "checkpoints and attached files. On SQLite the freed pages go back to the file system (databaseBytesFreed); on "
                + "PostgreSQL the server's autovacuum reuses them (null). 200 with what went; 403 for anyone but an admin.")
            .RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return api;
    }

    private static async Task<Results<Created<SubmittedRun>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        HttpRequest request, RunSubmission submission, AuditLog audit, ClaimsPrincipal user, int? priority, CancellationToken cancellationToken)
    {
        // The raw body goes through RunConfigJson, so a typo or an unknown enum value is a 400 naming the field, the same
        // sentence the CLI prints, rather than the framework's binding failure.
        string body;
        try
        {
            using var reader = new StreamReader(request.Body);
            body = await reader.ReadToEndAsync(cancellationToken);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel stops reading past the size limit (413) or on a broken upload; the client hears why.
            return TypedResults.Problem(title: "The body could not be read.", detail: ex.Message, statusCode: ex.StatusCode);
        }
        if (!RunConfigJson.TryParse(body, out var config, out var error))
            return TypedResults.Problem(title: "The body is not a valid run config.", detail: error, statusCode: StatusCodes.Status400BadRequest);

        var result = await submission.SubmitAsync(config, priority ?? 0, owner: TrackerClaims.NameOf(user), cancellationToken);
        if (!result.Succeeded)
            return TypedResults.ValidationProblem(
                result.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
                title: "The run config has invalid fields.");
        var id = result.RunId!.Value;
        await audit.RecordAsync(user, AuditActions.Submit, $"run {id}", config.Name, cancellationToken);
        return TypedResults.Created(AppUrls.Run(id), new SubmittedRun(id, AppUrls.Run(id), RunStatus.Queued));
    }

    private static async Task<Results<Ok<RunPage>, ProblemHttpResult>> ListAsync(
        TrackerDbContext context, CancellationToken cancellationToken,
        string? project = null, string? status = null, string? tag = null, string? method = null,
        string? sort = null, bool desc = false, int page = 1, int pageSize = RunQueries.DefaultPageSize, string? q = null, string? archived = null)
    {
        var (filters, _, problem) = RunQueries.ParseFilters(project, status, tag, method, q, archived);
        if (filters is null) return BadQuery(problem!);
        var order = RunSort.Created;
        if (!string.IsNullOrEmpty(sort) && (!Enum.TryParse(sort, ignoreCase: true, out order) || !Enum.IsDefined(order)))
            return BadQuery($"Unknown sort '{sort}'. Use one of: {RunQueries.Names<RunSort>()}.");
        if (page < 1) return BadQuery("page counts from 1.");
        if (pageSize < 1 || pageSize > RunQueries.MaxPageSize) return BadQuery($"pageSize must be 1 to {RunQueries.MaxPageSize}.");

        var query = filters with { Sort = order, Descending = desc, Page = page, PageSize = pageSize };
        return TypedResults.Ok(await RunQueries.ListAsync(context, query, cancellationToken));
    }

    private static async Task<Results<Ok<RunDetail>, ProblemHttpResult>> GetAsync(long id, TrackerDbContext context, CancellationToken cancellationToken) =>
        await RunQueries.FindAsync(context, id, cancellationToken) is { } run ? TypedResults.Ok(run) : NoSuchRun(id);

    public const int MaxEventsPage = 5000;

    private static async Task<Results<Ok<IReadOnlyList<TrainingEvent>>, ProblemHttpResult>> EventsAsync(
        long id, RunEventStore store, CancellationToken cancellationToken, long after = 0, int limit = MaxEventsPage)
    {
        if (after < 0) return BadQuery("after is a sequence number, 0 or more.");
        if (limit < 1 || limit > MaxEventsPage) return BadQuery($"limit must be 1 to {MaxEventsPage}.");
        if (await store.StoredSeqAsync(id, cancellationToken) is null) return NoSuchRun(id);
        return TypedResults.Ok(await store.ReadAsync(id, after, upToSeq: null, limit, cancellationToken));
    }

    private static async Task<Results<Ok<CancelledRun>, Accepted<CancelledRun>, ProblemHttpResult>> CancelAsync(
        long id, RunActions actions, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await actions.CancelAsync(id, user, cancellationToken);
        return result.Outcome switch
        {
            RunActionOutcome.Done => TypedResults.Ok(new CancelledRun(id, RunStatus.Cancelled, StopRequested: false)),
            RunActionOutcome.StopRequested => TypedResults.Accepted(AppUrls.Run(id), new CancelledRun(id, RunStatus.Cancelled, StopRequested: true)),
            _ => ProblemOf(id, result),
        };
    }

    private static async Task<Results<Ok<RunDetail>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        long id, RunChange change, RunActions actions, TrackerDbContext context, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (change is null || (change.Name is null && change.Archived is null))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Say what changes: name, archived or both."] },
                title: "The change names nothing.");
        // Checked before anything is stored, so a bad name with archived: true changes nothing.
        if (change.Name is not null && RunAnnotations.ValidateName(change.Name) is { } nameError)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [nameError] }, title: "The run's new name is not valid.");

        if (change.Name is { } name && await actions.RenameAsync(id, name, user, cancellationToken) is { Succeeded: false } renamed)
            return ProblemOf(id, renamed);
        if (change.Archived is { } archived && await actions.SetArchivedAsync(id, archived, user, cancellationToken) is { Succeeded: false } archiving)
            return ProblemOf(id, archiving);
        return await RunQueries.FindAsync(context, id, cancellationToken) is { } detail ? TypedResults.Ok(detail) : NoSuchRun(id);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        long id, RunActions actions, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await actions.DeleteAsync(id, user, cancellationToken) is { Succeeded: false } refused ? ProblemOf(id, refused) : TypedResults.NoContent();

    private static async Task<Results<Ok<RunDetail>, ProblemHttpResult>> RestoreAsync(
        long id, RunActions actions, TrackerDbContext context, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        (await actions.RestoreAsync(id, user, cancellationToken)).Outcome switch
        {
            RunActionOutcome.Done when await RunQueries.FindAsync(context, id, cancellationToken) is { } detail => TypedResults.Ok(detail),
            RunActionOutcome.NotYours => NotYours(id),
            _ => TypedResults.Problem(title: "No such run in the trash.", detail: $"Run {id} is not in the trash.", statusCode: StatusCodes.Status404NotFound),
        };

    private static async Task<Results<Ok<BulkRunResult>, ValidationProblem>> BulkAsync(
        BulkRunRequest request, RunBulkActions bulk, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (result, problem) = await bulk.ApplyAsync(request ?? new BulkRunRequest(), user, cancellationToken);
        return result is not null
            ? TypedResults.Ok(result)
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { [problem!.Field] = [problem.Message] }, title: "The bulk action cannot run.");
    }

    private static async Task<Ok<IReadOnlyList<TrashedRun>>> ListTrashAsync(RunTrash trash, CancellationToken cancellationToken) =>
        TypedResults.Ok(await trash.ListAsync(cancellationToken));

    private static async Task<Ok<EmptiedTrash>> EmptyTrashAsync(RunTrash trash, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        TypedResults.Ok(await trash.EmptyAsync(user, cancellationToken));

    /// <summary>The answer to an act on run <paramref name="id"/> that did not happen.</summary>
    public static ProblemHttpResult ProblemOf(long id, RunActionResult result) => result.Outcome switch
    {
        RunActionOutcome.NotYours => NotYours(id),
        RunActionOutcome.StillActive => TypedResults.Problem(title: "The run is still active.",
            detail: $"Run {id} is queued or running; cancel it first, then delete it.", statusCode: StatusCodes.Status409Conflict),
        // Running without a job: a run a script logs, which the script itself finishes.
        RunActionOutcome.LoggedByScript => TypedResults.Problem(title: "The run is not the queue's.",
            detail: $"Run {id} is logged by a script; the script finishes it (POST /api/runs/{id}/finish).", statusCode: StatusCodes.Status409Conflict),
        RunActionOutcome.AlreadyFinished => TypedResults.Problem(title: "The run has already finished.",
            detail: result.Problem ?? $"Run {id} has finished; only queued or running runs can be cancelled.", statusCode: StatusCodes.Status409Conflict),
        RunActionOutcome.Invalid => TypedResults.Problem(title: "The change is not valid.", detail: result.Problem, statusCode: StatusCodes.Status400BadRequest),
        _ => NoSuchRun(id),
    };

    public static ProblemHttpResult NotYours(long id) =>
        TypedResults.Problem(title: "Not your run.", detail: $"Run {id} belongs to someone else; only its owner or an admin may change it.",
            statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult NoSuchRun(long id) =>
        TypedResults.Problem(title: "No such run.", detail: $"There is no run {id}.", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult BadQuery(string detail) =>
        TypedResults.Problem(title: "Invalid query.", detail: detail, statusCode: StatusCodes.Status400BadRequest);

}
