using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Data.Configuration;
using Tracker.Web.Extensions;
using Tracker.Web.Features.Runs;
using Tracker.Web.Security;

namespace Tracker.Web.Features.Ingest;

/// <summary>
/// The ingest API a script logs through (the Python client, clients/python): make a run, append numbered batches of
/// points, attach small files, finish it. A write token makes runs; only a run's owner (or an admin) feeds it.
/// </summary>
public static partial class IngestEndpoints
{
    public static RouteGroupBuilder MapIngest(this RouteGroupBuilder api)
    {
        var runs = api.MapGroup("/runs").WithTags("Ingest");
        runs.MapPost("/external", CreateAsync).WithName("CreateScriptRun")
            .WithSummary("Start a run logged by a script")
            .WithDescription("Body: {name, project?, tags?, config?, clientKey?}; config is any JSON object, whose known run config fields (lr, "
                + "epochs, dropout.rate, model...) fill the columns filters and paper tables read when present and valid. The run is running at "
                + "once, with no job: the script appends its points (POST /api/runs/{id}/points) and finishes it. 201 with its id and page; "
                + "400 naming the field. clientKey (at most 64 characters, e.g. a uuid4) makes the create safe to retry: when the caller made "
                + "a run with that key before, the answer is that run (200, the same body, nextSeq after its stored batches) and nothing is "
                + "made; the same key with another name, project or config is a 409. Keys are per user.")
            .Accepts<ScriptRunRequest>("application/json")
            .Produces<CreatedScriptRun>(StatusCodes.Status201Created)
            .Produces<CreatedScriptRun>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapPost("/{id:long}/points", AppendAsync).WithName("LogPoints")
            .WithSummary("Append a batch of points to a script run")
            .WithDescription("Body: {seq, points: [{key, step, epoch?, value, time?}]}. Batches are numbered 1, 2, 3... by the client: "
                + "a batch stored before is a no-op (200, duplicate: true), a batch that skips a number is a 409 naming the expected one "
                + "(expectedSeq). 400 naming the field of a bad point, and nothing of that batch is stored. Values may be \"NaN\", "
                + "\"Infinity\" or \"-Infinity\" as strings; NaN is not stored. 403 for someone else's run, 409 once the run has finished.")
            .Accepts<PointsBatch>("application/json")
            .Produces<BatchAck>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapPost("/{id:long}/finish", FinishAsync).WithName("FinishScriptRun")
            .WithSummary("Finish a script run")
            .WithDescription("Body: {status?: succeeded (default) | failed | cancelled | diverged, error?}. Finishing again with the same "
                + "status is a no-op; with another, 409.")
            .Accepts<FinishRequest>("application/json")
            .Produces<FinishedScriptRun>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapPut("/{id:long}/files/{name}", AttachAsync).WithName("AttachRunFile")
            .WithSummary("Attach a small file to a script run")
            .WithDescription("The body is the file's bytes, at most Ingest:MaxFileBytes (413 beyond). The name holds letters, digits, "
                + "'.', '_' and '-' and does not start with '.'; a file of the same name is replaced. 201.")
            .AcceptsBytes("The file's bytes, whatever its content type.")
            .Produces<RunFile>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        runs.MapGet("/{id:long}/files", ListFilesAsync).WithName("ListRunFiles")
            .WithSummary("The files attached to a run")
            .WithDescription("Name and size of each file a script attached (PUT /api/runs/{id}/files/{name}); 404 for an unknown run.")
            .Produces<IReadOnlyList<RunFile>>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        runs.MapGet("/{id:long}/files/{name}", DownloadAsync).WithName("GetRunFile")
            .WithSummary("One file attached to a run")
            .WithDescription("The file's bytes as it was attached; 404 for an unknown run or file.")
            .ProducesContent("application/octet-stream", "The file's bytes.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Results<Created<CreatedScriptRun>, Ok<CreatedScriptRun>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        HttpRequest request, ScriptRuns runs, AuditLog audit, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync<ScriptRunRequest>(request, RunsEndpoints.MaxConfigBytes, "run", cancellationToken);
        if (body is null) return problem!;
        var name = body.Name?.Trim() ?? "";
        var project = string.IsNullOrWhiteSpace(body.Project) ? "default" : body.Project.Trim();
        var tags = body.Tags ?? [];
        // Name, project and tags follow the queue's rules, the same sentences as a submitted config.
        var errors = RunConfigValidator.Validate(new RunConfig { Name = name, Project = project, Tags = tags })
            .Where(e => e.Field is "name" or "project" || e.Field.StartsWith("tags", StringComparison.Ordinal)).ToList();
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
                title: "The run has invalid fields.");

        if (CheckClientKey(body.ClientKey) is { } badKey) return badKey;

        var made = await runs.CreateAsync(name, project, tags, body.Config, TrackerClaims.NameOf(user), body.ClientKey, cancellationToken);
        var answer = new CreatedScriptRun(made.Id, AppUrls.Run(made.Id), made.Status, made.NextSeq);
        switch (made.Outcome)
        {
            case ScriptRunCreation.Existing:
                return TypedResults.Ok(answer);
            case ScriptRunCreation.KeyTaken:
                return TypedResults.Problem(title: "The client key names another run.",
                    detail: $"Your run {made.Id} was made with the client key '{body.ClientKey}' and another name, project or config; "
                        + "send the same request to get that run back, or a new key for a new run.",
                    statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["runId"] = made.Id });
        }
        await audit.RecordAsync(user, AuditActions.Submit, ScriptRuns.Target(made.Id), $"{name} (logged by a script)", cancellationToken);
        return TypedResults.Created(answer.Url, answer);
    }

    /// <summary>A client key is optional, but when sent it is 1 to <see cref="Limits.Key"/> printable characters (the column's length).</summary>
    private static ValidationProblem? CheckClientKey(string? key) =>
        key is null ? null
        : string.IsNullOrWhiteSpace(key) ? Invalid("clientKey", "A client key may be left out, but not blank.")
        : key.Length > Limits.Key ? Invalid("clientKey", $"A client key can be at most {Limits.Key} characters long; this one has {key.Length}.")
        : InputRules.HasControlCharacter(key) ? Invalid("clientKey", InputRules.ControlCharacterMessage)
        : null;

    private static async Task<Results<Ok<BatchAck>, ValidationProblem, ProblemHttpResult>> AppendAsync(
        long id, HttpRequest request, ScriptRuns runs, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (batch, problem) = await ReadAsync<PointsBatch>(request, runs.Limits.MaxBatchBytes, "batch", cancellationToken);
        if (batch is null) return problem!;
        if (Check(batch, runs.Limits) is { } invalid) return invalid;
        var points = batch.Points!.Select(p => new LoggedPoint(p.Key!, p.Step, p.Value, p.Epoch, p.Time)).ToList();
        try
        {
            var (outcome, stored) = await runs.AppendAsync(id, owner => TrackerClaims.MayChangeRun(user, owner), batch.Seq, points, cancellationToken);
            return outcome == ScriptRunOutcome.Done
                ? TypedResults.Ok(new BatchAck(id, stored!.AckedSeq, Duplicate: stored.Stored.Count == 0))
                : Refused(id, outcome);
        }
        catch (SequenceGapException gap)
        {
            return TypedResults.Problem(title: "A batch is missing.",
                detail: $"Run {id} has its batches stored up to {gap.ExpectedSeq - 1}; send batch {gap.ExpectedSeq} next, not {batch.Seq}.",
                statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["expectedSeq"] = gap.ExpectedSeq });
        }
    }

    private static async Task<Results<Ok<FinishedScriptRun>, ValidationProblem, ProblemHttpResult>> FinishAsync(
        long id, HttpRequest request, ScriptRuns runs, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync<FinishRequest>(request, 64 << 10, "finish request", cancellationToken, allowEmpty: true);
        if (problem is not null) return problem;
        RunOutcome status = RunOutcome.Succeeded;
        if (body?.Status is { } named && !FinishStatuses.TryGetValue(named, out status))
            return Invalid("status", $"Unknown status '{named}'. Use one of: {string.Join(", ", FinishStatuses.Keys)}.");
        var (outcome, finalStatus, acked) = await runs.FinishAsync(id, owner => TrackerClaims.MayChangeRun(user, owner), status, body?.Error, cancellationToken);
        return outcome switch
        {
            ScriptRunOutcome.Done => TypedResults.Ok(new FinishedScriptRun(id, finalStatus, acked)),
            ScriptRunOutcome.Finished => TypedResults.Problem(title: "The run has already finished.",
                detail: $"Run {id} finished as {finalStatus.ToString().ToLowerInvariant()}; it cannot finish again as another status.",
                statusCode: StatusCodes.Status409Conflict),
            _ => Refused(id, outcome),
        };
    }

    private static async Task<Results<Created<RunFile>, ValidationProblem, ProblemHttpResult>> AttachAsync(
        long id, string name, HttpRequest request, ScriptRuns runs, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!FileName().IsMatch(name))
            return Invalid("name", "A file name holds letters, digits, '.', '_' and '-' (at most 100), and does not start with '.'.");
        var limit = runs.Limits.MaxFileBytes;
        if (request.ContentLength > limit) return TooLarge(limit);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        try
        {
            var (outcome, bytes) = await runs.AttachAsync(id, owner => TrackerClaims.MayChangeRun(user, owner), name, request.Body, cancellationToken);
            return outcome == ScriptRunOutcome.Done
                ? TypedResults.Created($"/api/runs/{id}/files/{name}", new RunFile(name, bytes))
                : Refused(id, outcome);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit);
        }
    }

    private static async Task<Results<Ok<IReadOnlyList<RunFile>>, ProblemHttpResult>> ListFilesAsync(
        long id, ScriptRuns runs, TrackerDbContext context, CancellationToken cancellationToken) =>
        await RunQueries.StatusAsync(context, id, cancellationToken) is null ? RunsEndpoints.NoSuchRun(id) : TypedResults.Ok(runs.FilesOf(id));

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> DownloadAsync(
        long id, string name, ScriptRuns runs, TrackerDbContext context, CancellationToken cancellationToken)
    {
        if (await RunQueries.StatusAsync(context, id, cancellationToken) is null) return RunsEndpoints.NoSuchRun(id);
        return FileName().IsMatch(name) && runs.FileOf(id, name) is { } path
            ? TypedResults.PhysicalFile(path, "application/octet-stream", name)
            : TypedResults.Problem(title: "No such file.", detail: $"Run {id} has no file '{name}'.", statusCode: StatusCodes.Status404NotFound);
    }

    private static readonly Dictionary<string, RunOutcome> FinishStatuses = new(StringComparer.OrdinalIgnoreCase)
    {
        ["succeeded"] = RunOutcome.Succeeded, ["failed"] = RunOutcome.Failed, ["cancelled"] = RunOutcome.Cancelled, ["diverged"] = RunOutcome.Diverged,
    };

    /// <summary>The first mistake of a batch, naming its field (points[3].key); null when every point is fit to store.</summary>
    private static ValidationProblem? Check(PointsBatch batch, IngestOptions limits)
    {
        if (batch.Seq < 1) return Invalid("seq", "Batches are numbered from 1.");
        if (batch.Points is null) return Invalid("points", "A batch needs its list of points.");
        if (batch.Points.Count > limits.MaxPointsPerBatch)
            return Invalid("points", $"A batch holds at most {limits.MaxPointsPerBatch} points; this one has {batch.Points.Count}. Send more batches.");
        var seen = new Dictionary<(string, long), int>();
        for (var i = 0; i < batch.Points.Count; i++)
        {
            var point = batch.Points[i];
            var field = $"points[{i}]";
            if (point is null) return Invalid(field, "A point is an object {key, step, value}.");
            if (string.IsNullOrWhiteSpace(point.Key)) return Invalid($"{field}.key", "A point needs a metric key.");
            if (point.Key.Length > Limits.Key) return Invalid($"{field}.key", $"A metric key can be at most {Limits.Key} characters long.");
            if (InputRules.HasControlCharacter(point.Key)) return Invalid($"{field}.key", InputRules.ControlCharacterMessage);
            if (point.Step < 0) return Invalid($"{field}.step", "Steps count from 0.");
            if (point.Epoch < 0) return Invalid($"{field}.epoch", "Epochs count from 0.");
            if (!seen.TryAdd((point.Key, point.Step), i))
                return Invalid($"{field}.key", $"'{point.Key}' at step {point.Step} is already points[{seen[(point.Key, point.Step)]}] of this batch.");
        }
        return null;
    }

    private static Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, long limit, string what,
        CancellationToken cancellationToken, bool allowEmpty = false) where T : class =>
        JsonBody.ReadAsync<T>(request, limit, what, ScriptRuns.BodyOptions, cancellationToken, allowEmpty);

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: $"'{field}': {message}");

    private static ProblemHttpResult TooLarge(long limit) => JsonBody.TooLarge(limit);

    private static ProblemHttpResult Refused(long id, ScriptRunOutcome outcome) => outcome switch
    {
        ScriptRunOutcome.NoSuchRun => RunsEndpoints.NoSuchRun(id),
        ScriptRunOutcome.NotYours => RunsEndpoints.NotYours(id),
        ScriptRunOutcome.NotAScriptRun => TypedResults.Problem(title: "Not a script run.",
            detail: $"Run {id} was queued and is trained by a worker; only runs made with POST /api/runs/external take logged points and files.",
            statusCode: StatusCodes.Status409Conflict),
        _ => TypedResults.Problem(title: "The run has finished.", detail: $"Run {id} has finished; it takes no more points.",
            statusCode: StatusCodes.Status409Conflict),
    };

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex FileName();
}
