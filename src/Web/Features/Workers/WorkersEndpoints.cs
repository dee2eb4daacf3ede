using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Extensions;
using Tracker.Web.Jobs;
using Tracker.Web.Security;

namespace Tracker.Web.Features.Workers;

/// <summary>
/// The remote worker API (<see cref="WorkerProtocol"/>): every call a <c>tracker-worker</c> makes needs a token of scope
/// worker (<see cref="Policies.Worker"/>), and speaks only for a worker that a token of the same user registered. The
/// admin's list of workers and their drain/disable switches sit in the /api group under <see cref="Policies.Admin"/>.
/// </summary>
public static class WorkersEndpoints
{
    private const long MaxBodyBytes = 64 << 10;
    private const long MaxEventsBodyBytes = 64L << 20;
    private const int MaxReasonLength = 4000;
    private const long MaxCheckpointBytes = 8L << 30;

    /// <summary>Outside the /api group's policy: a worker token opens neither the read nor the write API, only this one.</summary>
    public static WebApplication MapWorkerProtocol(this WebApplication app)
    {
        var workers = app.MapGroup(WorkerProtocol.Prefix).WithTags("Workers").RequireAuthorization(Policies.Worker);
        workers.MapPost("/register", RegisterAsync).WithName("RegisterWorker")
            .WithSummary("Register a remote worker (a worker token)")
            .WithDescription("Body: {name, host?, devices?, slots, version?}. name: 1 to 64 letters, digits, '.', '_' or '-', unique per server; "
                + $"registering again under the same name (a restart) updates that worker and keeps its id and state. devices: at most {RemoteWorkers.MaxDevices} "
                + $"names such as \"cpu\" or \"cuda:0\" (default [\"cpu\"]); slots: runs trained at once, 1 to {RemoteWorkers.MaxSlots}. The answer says how "
                + "often to heartbeat and how long a lease lasts. 400 naming the field; 409 when another user's worker has the name.")
            .Accepts<WorkerRegistration>("application/json")
            .Produces<WorkerRegistered>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
        workers.MapPost("/{id:long}/heartbeat", HeartbeatAsync).WithName("WorkerHeartbeat")
            .WithSummary("A worker is alive")
            .WithDescription("Records the worker's heartbeat and answers its state: active, draining (finish what you hold, claim nothing) or disabled. "
                + "404 for an unknown worker, 403 for another user's.")
            .Produces<WorkerHeartbeatAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        workers.MapPost("/{id:long}/claim", ClaimAsync).WithName("ClaimJob")
            .WithSummary("Claim the next queued run")
            .WithDescription("Leases the queued run with the highest priority, oldest first, to the worker; run is null when the queue is empty, the "
                + "worker holds as many runs as it has slots, or it is draining or disabled. The claimed run comes with its config, the attempt, the "
                + "last stored event sequence (a resumed run numbers its events from the next) and whether the server stores a checkpoint of it. "
                + "An optional body lists the worker's devices with their slots and what they hold (devices[i].device, slots, sharedRuns, "
                + "holdsExclusive): then the scheduler picks the first queued run that fits (resources.gpu: a shared run takes the least-loaded "
                + "device with a free slot, an exclusive run an idle GPU, which it reserves until one drains) and answers its device. 400 naming the field.")
            .Accepts<ClaimRequest>("application/json")
            .Produces<ClaimAnswer>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        var runs = workers.MapGroup("/{id:long}/runs/{runId:long}");
        runs.MapPost("/start", StartAsync).WithName("StartWorkerRun")
            .WithSummary("Start training a claimed run")
            .WithDescription("Body: {resumedStep, resumedEpoch}: the worker's checkpoint the run resumes from (0, 0: from scratch). Points stored after "
                + "that step are dropped, since training reports them again; the answer is the stored sequence to number events from. "
                + "400 naming the field; 409 when the run is not leased to this worker.")
            .Accepts<RunStartRequest>("application/json")
            .Produces<RunStartAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapPost("/events", EventsAsync).WithName("PostWorkerRunEvents")
            .WithSummary("Store a run's events, in sequence order")
            .WithDescription($"Body: {{events: [...]}}, at most {WorkerProtocol.MaxEventsPerBatch} training events of the run, numbered consecutively. "
                + "Events at or below the run's stored sequence are skipped (a resent batch is a no-op); the answer acknowledges the highest stored "
                + "sequence, after the commit, and only then are they announced to live pages. A batch that starts past the stored sequence plus one "
                + "is a 409 naming expectedSeq. The run's end goes to /complete, not here. 400 naming the field; 409 when the run is not leased to this worker.")
            .Accepts<WorkerEventBatch>("application/json")
            .Produces<EventsAck>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapPost("/heartbeat", RunHeartbeatAsync).WithName("WorkerRunHeartbeat")
            .WithSummary("Renew the lease of a run the worker trains")
            .WithDescription("Extends the run's lease and says whether its cancel was requested (then stop the run and complete it). 409 when the "
                + "lease is no longer this worker's (it lapsed and the run was requeued, or the worker was disabled): stop without completing.")
            .Produces<RunHeartbeatAnswer>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapPost("/release", ReleaseAsync).WithName("ReleaseWorkerRun")
            .WithSummary("Give a run back to the queue")
            .WithDescription("Body: {reason?}. The run goes back to the queue unfinished and resumes from its last checkpoint; a reason stays as the "
                + "run's error until it ends. 204; 409 when the run is not leased to this worker.")
            .Accepts<ReleaseRequest>("application/json")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapPut("/checkpoint", UploadCheckpointAsync).WithName("UploadWorkerRunCheckpoint")
            .WithSummary("Store a run's final checkpoint on the server")
            .WithDescription($"The body is the checkpoint file's bytes (at most {MaxCheckpointBytes >> 30} GiB) with its SHA-256 in the "
                + $"{WorkerProtocol.CheckpointSha256Header} header; the server keeps it as the run's checkpoint (fine-tuning and downloads read it) only "
                + "when the bytes it received have that hash, else 400 and the old file stays: send it again. 409 when the run is not leased to this worker.")
            .AcceptsBytes("The checkpoint file's bytes.")
            .WithCheckpointSha256(request: true)
            .Produces<CheckpointStored>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        runs.MapGet("/parent-checkpoint", DownloadParentCheckpointAsync).WithName("DownloadWorkerRunParentCheckpoint")
            .WithSummary("The checkpoint a fine-tune run starts from")
            .WithDescription($"The final checkpoint of the run's parentRunId, with its SHA-256 in the {WorkerProtocol.CheckpointSha256Header} header "
                + "(check it before training); ranges are served, so a broken download resumes. 404 when the run is no fine-tune run or its parent "
                + "has no checkpoint on the server; 409 when the run is not leased to this worker.")
            .ProducesContent("application/octet-stream", "The parent's checkpoint file.")
            .WithCheckpointSha256(request: false)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        runs.MapPost("/complete", CompleteAsync).WithName("CompleteWorkerRun")
            .WithSummary("Record how a run ended")
            .WithDescription("Body: {finished: a run-finished event, crashed?}. Send it once every other event of the run is acknowledged: a finished "
                + "event numbered past the stored sequence plus one is a 409 naming expectedSeq, so a run is never recorded finished with a hole. "
                + "crashed: the child process ended without a finished event; within the server's crash retries the run goes back to the queue "
                + "(requeued: true). The status is recorded first, then announced. Completing a run that has finished already answers its status.")
            .Accepts<CompleteRequest>("application/json")
            .Produces<CompleteAnswer>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>The admin's view: in the /api group (a reader for GET, a writer otherwise), and admin on top.</summary>
    public static RouteGroupBuilder MapWorkersAdmin(this RouteGroupBuilder api)
    {
        var workers = api.MapGroup("/workers").WithTags("Workers").RequireAuthorization(Policies.Admin);
        workers.MapGet("/", async (RemoteWorkers registry, CancellationToken cancellationToken) => TypedResults.Ok(await registry.ListAsync(cancellationToken)))
            .WithName("ListWorkers").WithSummary("Every remote worker and the runs it holds")
            .WithDescription("Name, host, devices, slots and slots in use, state (active, draining, disabled), whether it was heard from within "
                + "three heartbeat intervals, its last heartbeat, the user whose token registered it, and each run it holds with the run's "
                + "status, attempt, progress and lease.");
        foreach (var (route, state, name, summary) in new[]
                 {
                     ("drain", WorkerState.Draining, "DrainWorker", "Let a worker finish its runs and claim no more"),
                     ("disable", WorkerState.Disabled, "DisableWorker", "Stop a worker: its runs go back to the queue"),
                     ("enable", WorkerState.Active, "EnableWorker", "Let a drained or disabled worker claim runs again"),
                 })
            workers.MapPost($"/{{id:long}}/{route}", (long id, RemoteWorkers registry, AuditLog audit, ClaimsPrincipal user, CancellationToken cancellationToken) =>
                    SetStateAsync(id, state, registry, audit, user, cancellationToken))
                .WithName(name).WithSummary(summary)
                .WithDescription("Answers the worker as the list shows it. Disabling also gives every run it holds back to the queue now, to resume "
                    + "from its last checkpoint; the worker hears it at its next heartbeat of each run and stops them. 404 for an unknown worker.")
                .Produces<WorkerSummary>()
                .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Results<Ok<WorkerSummary>, ProblemHttpResult>> SetStateAsync(long id, WorkerState state, RemoteWorkers registry,
        AuditLog audit, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var released = await registry.SetStateAsync(id, state, cancellationToken);
        if (released is null) return NoSuchWorker(id);
        var detail = released > 0 ? $"{state.ToString().ToLowerInvariant()}; {released} run(s) back to the queue" : state.ToString().ToLowerInvariant();
        await audit.RecordAsync(user, AuditActions.SetWorkerState, $"worker:{id}", detail, cancellationToken);
        return TypedResults.Ok((await registry.ListAsync(cancellationToken)).Single(w => w.Id == id));
    }

    private static async Task<Results<Ok<WorkerRegistered>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        HttpRequest request, RemoteWorkers registry, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync<WorkerRegistration>(request, MaxBodyBytes, "registration", cancellationToken);
        if (body is null) return problem!;
        var name = body.Name?.Trim() ?? "";
        if (!RemoteWorkers.NamePattern().IsMatch(name))
            return Invalid("name", "A worker's name is 1 to 64 letters, digits, '.', '_' or '-'.");
        var host = body.Host?.Trim() ?? "";
        if (host.Length > 200) return Invalid("host", "A host name can be at most 200 characters long.");
        if (InputRules.HasControlCharacter(host)) return Invalid("host", InputRules.ControlCharacterMessage);
        var devices = body.Devices ?? ["cpu"];
        if (devices.Count is 0 or > RemoteWorkers.MaxDevices) return Invalid("devices", $"A worker advertises 1 to {RemoteWorkers.MaxDevices} devices.");
        for (var i = 0; i < devices.Count; i++)
            if (string.IsNullOrWhiteSpace(devices[i]) || devices[i].Length > 64 || InputRules.HasControlCharacter(devices[i]))
                return Invalid($"devices[{i}]", "A device is a name such as \"cpu\" or \"cuda:0\", at most 64 characters.");
        if (body.Slots is < 1 or > RemoteWorkers.MaxSlots) return Invalid("slots", $"A worker has 1 to {RemoteWorkers.MaxSlots} slots.");
        if (body.Version is { Length: > 64 } || (body.Version is { } version && InputRules.HasControlCharacter(version)))
            return Invalid("version", "A version is at most 64 printable characters.");
        var worker = await registry.RegisterAsync(name, host, devices, body.Slots, body.Version, TrackerClaims.UserIdOf(user) ?? 0, cancellationToken);
        if (worker is null)
            return TypedResults.Problem(title: "The name is taken.", detail: $"Another user's worker is registered as '{name}'; pick another --name.",
                statusCode: StatusCodes.Status409Conflict);
        return TypedResults.Ok(new WorkerRegistered(worker.Id, worker.Name, worker.State, registry.Jobs.HeartbeatSeconds, registry.Jobs.LeaseSeconds));
    }

    private static async Task<Results<Ok<WorkerHeartbeatAnswer>, ProblemHttpResult>> HeartbeatAsync(
        long id, RemoteWorkers registry, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (worker, refused) = await WorkerOfAsync(id, registry, user, cancellationToken);
        if (worker is null) return refused!;
        return TypedResults.Ok(new WorkerHeartbeatAnswer(id, await registry.HeartbeatAsync(id, cancellationToken)));
    }

    private static async Task<Results<Ok<ClaimAnswer>, ValidationProblem, ProblemHttpResult>> ClaimAsync(
        long id, HttpRequest request, RemoteWorkers registry, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (worker, refused) = await WorkerOfAsync(id, registry, user, cancellationToken);
        if (worker is null) return refused!;
        IReadOnlyList<DeviceLoad>? devices = null;
        // The body is optional: without it the worker takes the first queued run, wherever it trains it.
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var (body, problem) = await ReadAsync<ClaimRequest>(request, MaxBodyBytes, "claim", cancellationToken);
            if (body is null) return problem!;
            devices = body.Devices;
            if (devices is { Count: > RemoteWorkers.MaxDevices }) return Invalid("devices", $"A worker has at most {RemoteWorkers.MaxDevices} devices.");
            for (var i = 0; i < (devices?.Count ?? 0); i++)
            {
                var device = devices![i];
                if (device is null || string.IsNullOrWhiteSpace(device.Device) || device.Device.Length > 64 || InputRules.HasControlCharacter(device.Device))
                    return Invalid($"devices[{i}].device", "A device is a name such as \"cpu\" or \"cuda:0\", at most 64 characters.");
                if (device.Slots is < 1 or > RemoteWorkers.MaxSlots) return Invalid($"devices[{i}].slots", $"A device has 1 to {RemoteWorkers.MaxSlots} slots.");
                if (device.SharedRuns < 0 || device.SharedRuns > device.Slots)
                    return Invalid($"devices[{i}].sharedRuns", "The shared runs a device holds are 0 to its slots.");
            }
        }
        return TypedResults.Ok(await registry.ClaimAsync(worker, devices, cancellationToken));
    }

    private static async Task<Results<Ok<RunStartAnswer>, ValidationProblem, ProblemHttpResult>> StartAsync(
        long id, long runId, HttpRequest request, RemoteWorkers registry, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync<RunStartRequest>(request, MaxBodyBytes, "start request", cancellationToken);
        if (body is null) return problem!;
        if (body.ResumedStep < 0) return Invalid("resumedStep", "Steps count from 0 (0: the run starts from scratch).");
        if (body.ResumedEpoch < 0) return Invalid("resumedEpoch", "Epochs count from 0 (0: the run starts from scratch).");
        var (worker, refused) = await HeldRunAsync(id, runId, registry, user, cancellationToken);
        if (worker is null) return refused!;
        return TypedResults.Ok(new RunStartAnswer(runId, await registry.StartAsync(runId, body.ResumedStep, body.ResumedEpoch, cancellationToken)));
    }

    private static async Task<Results<Ok<EventsAck>, ValidationProblem, ProblemHttpResult>> EventsAsync(
        long id, long runId, HttpRequest request, RemoteWorkers registry, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (batch, problem) = await ReadAsync<WorkerEventBatch>(request, MaxEventsBodyBytes, "event batch", cancellationToken, TrackerJson.Options);
        if (batch is null) return problem!;
        if (Check(batch) is { } invalid) return invalid;
        var (worker, refused) = await HeldRunAsync(id, runId, registry, user, cancellationToken);
        if (worker is null) return refused!;
        try
        {
            var stored = await registry.StoreEventsAsync(runId, batch.Events!, cancellationToken);
            return TypedResults.Ok(new EventsAck(runId, stored.AckedSeq, stored.Stored.Count));
        }
        catch (SequenceGapException gap)
        {
            return Gap(runId, gap.ExpectedSeq, batch.Events![0].Seq);
        }
    }

    /// <summary>The first mistake of a batch, naming its field (events[3].seq); null when it is fit to store.</summary>
    private static ValidationProblem? Check(WorkerEventBatch batch)
    {
        if (batch.Events is null) return Invalid("events", "A batch needs its list of events.");
        if (batch.Events.Count == 0) return Invalid("events", "A batch holds at least one event.");
        if (batch.Events.Count > WorkerProtocol.MaxEventsPerBatch)
            return Invalid("events", $"A batch holds at most {WorkerProtocol.MaxEventsPerBatch} events; this one has {batch.Events.Count}. Send more batches.");
        for (var i = 0; i < batch.Events.Count; i++)
        {
            var trainingEvent = batch.Events[i];
            if (trainingEvent is null) return Invalid($"events[{i}]", "An event is a JSON object with its type and seq.");
            if (trainingEvent is RunFinishedEvent) return Invalid($"events[{i}]", "A run's end is recorded through /complete, once its other events are stored.");
            if (trainingEvent is PointsEvent) return Invalid($"events[{i}]", "Points events are a script's (POST /api/runs/{id}/points); a worker sends the trainer's events.");
            if (trainingEvent.Seq < 1) return Invalid($"events[{i}].seq", "Events are numbered from 1.");
            if (i > 0 && trainingEvent.Seq != batch.Events[i - 1].Seq + 1)
                return Invalid($"events[{i}].seq", $"Events of a batch are numbered consecutively: {batch.Events[i - 1].Seq + 1} follows {batch.Events[i - 1].Seq}, not {trainingEvent.Seq}.");
        }
        return null;
    }

    private static async Task<Results<Ok<RunHeartbeatAnswer>, ProblemHttpResult>> RunHeartbeatAsync(
        long id, long runId, RemoteWorkers registry, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (worker, refused) = await WorkerOfAsync(id, registry, user, cancellationToken);
        if (worker is null) return refused!;
        await registry.HeartbeatAsync(id, cancellationToken);
        return await registry.RunHeartbeatAsync(worker, runId, cancellationToken) switch
        {
            HeartbeatResult.LeaseLost => await registry.RunStateAsync(runId, cancellationToken) is null ? NoSuchRun(runId) : NotHeld(id, runId),
            var result => TypedResults.Ok(new RunHeartbeatAnswer(runId, result == HeartbeatResult.CancelRequested)),
        };
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ReleaseAsync(
        long id, long runId, HttpRequest request, RemoteWorkers registry, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync<ReleaseRequest>(request, MaxBodyBytes, "release request", cancellationToken, allowEmpty: true);
        if (problem is not null) return problem;
        if (body?.Reason is { Length: > MaxReasonLength }) return Invalid("reason", $"A reason can be at most {MaxReasonLength} characters long.");
        var (worker, refused) = await HeldRunAsync(id, runId, registry, user, cancellationToken);
        if (worker is null) return refused!;
        return await registry.ReleaseAsync(worker, runId, body?.Reason, cancellationToken) ? TypedResults.NoContent() : NotHeld(id, runId);
    }

    private static async Task<Results<Ok<CompleteAnswer>, ValidationProblem, ProblemHttpResult>> CompleteAsync(
        long id, long runId, HttpRequest request, RemoteWorkers registry, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync<CompleteRequest>(request, MaxBodyBytes, "complete request", cancellationToken, TrackerJson.Options);
        if (body is null) return problem!;
        if (body.Finished is null) return Invalid("finished", "Say how the run ended: a run-finished event {type: \"run-finished\", status, summary}.");
        if (body.Finished.Seq < 0) return Invalid("finished.seq", "Events are numbered from 1 (0: the worker's own end of a run that could not start).");
        var (worker, refused) = await WorkerOfAsync(id, registry, user, cancellationToken);
        if (worker is null) return refused!;
        if (await registry.RunStateAsync(runId, cancellationToken) is not { } run) return NoSuchRun(runId);
        // The answer to a complete that was recorded but whose answer was lost: the worker sends it again.
        if (run.Job == JobState.Finished) return TypedResults.Ok(new CompleteAnswer(runId, run.Status.ToString().ToLowerInvariant(), Requeued: false));
        if (await registry.HoldsAsync(worker, runId, cancellationToken) != HeldRun.Held) return NotHeld(id, runId);
        if (body.Finished.Seq > run.StoredSeq + 1) return Gap(runId, run.StoredSeq + 1, body.Finished.Seq);
        var answer = await registry.CompleteAsync(worker, runId, run.Attempts, body.Finished, body.Crashed, cancellationToken);
        return answer is null ? NotHeld(id, runId) : TypedResults.Ok(answer);
    }

    /// <summary>Declares the <see cref="WorkerProtocol.CheckpointSha256Header"/>: a required header of the upload, a header of the download's 200.</summary>
    private static RouteHandlerBuilder WithCheckpointSha256(this RouteHandlerBuilder builder, bool request) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9a-fA-F]{64}$" };
            if (request)
                (operation.Parameters ??= []).Add(new OpenApiParameter
                {
                    Name = WorkerProtocol.CheckpointSha256Header, In = ParameterLocation.Header, Required = true, Schema = schema,
                    Description = "The SHA-256 of the body, 64 hexadecimal digits.",
                });
            else if (operation.Responses?.GetValueOrDefault("200") is OpenApiResponse ok)
                (ok.Headers ??= new Dictionary<string, IOpenApiHeader>())[WorkerProtocol.CheckpointSha256Header] = new OpenApiHeader
                {
                    Description = "The SHA-256 of the file, lowercase hex: check the bytes received against it.", Schema = schema,
                };
            return Task.CompletedTask;
        });

    private static async Task<Results<Ok<CheckpointStored>, ValidationProblem, ProblemHttpResult>> UploadCheckpointAsync(
        long id, long runId, HttpRequest request, RemoteWorkers registry, RunCheckpoints checkpoints, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var sha256 = request.Headers[WorkerProtocol.CheckpointSha256Header].ToString();
        if (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit))
            return Invalid(WorkerProtocol.CheckpointSha256Header, "Send the checkpoint's SHA-256 as 64 hexadecimal digits, so the server can check what it received.");
        if (request.ContentLength > MaxCheckpointBytes) return JsonBody.TooLarge(MaxCheckpointBytes);
        var (worker, refused) = await HeldRunAsync(id, runId, registry, user, cancellationToken);
        if (worker is null) return refused!;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = MaxCheckpointBytes;
        long bytes;
        string? problem;
        try
        {
            (bytes, problem) = await checkpoints.StoreUploadAsync(runId, request.Body, sha256, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return JsonBody.TooLarge(MaxCheckpointBytes);
        }
        if (problem is not null) return Invalid(WorkerProtocol.CheckpointSha256Header, problem);
        return TypedResults.Ok(new CheckpointStored(runId, bytes, sha256.ToLowerInvariant()));
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> DownloadParentCheckpointAsync(
        long id, long runId, HttpResponse response, RemoteWorkers registry, RunCheckpoints checkpoints, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (worker, refused) = await HeldRunAsync(id, runId, registry, user, cancellationToken);
        if (worker is null) return refused!;
        if (await registry.ParentOfAsync(runId, cancellationToken) is not { } parent)
            return TypedResults.Problem(title: "No parent run.", detail: $"Run {runId} is no fine-tune run: it starts from fresh weights.", statusCode: StatusCodes.Status404NotFound);
        var (path, problem) = checkpoints.ResolveParent(parent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (path is null) return TypedResults.Problem(title: "No checkpoint to fine-tune from.", detail: problem, statusCode: StatusCodes.Status404NotFound);
        response.Headers[WorkerProtocol.CheckpointSha256Header] = await Training.Engine.Checkpoint.Sha256Async(path, cancellationToken);
        return TypedResults.PhysicalFile(path, "application/octet-stream", enableRangeProcessing: true);
    }

    private static async Task<(Worker? Worker, ProblemHttpResult? Refused)> WorkerOfAsync(long id, RemoteWorkers registry, ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        var (access, worker) = await registry.FindAsync(id, TrackerClaims.UserIdOf(user), cancellationToken);
        return access switch
        {
            WorkerAccess.Allowed => (worker, null),
            WorkerAccess.NotYours => (null, TypedResults.Problem(title: "Not your worker.",
                detail: $"Worker {id} was registered with another user's token; register this worker under a name of its own.",
                statusCode: StatusCodes.Status403Forbidden)),
            _ => (null, NoSuchWorker(id)),
        };
    }

    private static async Task<(Worker? Worker, ProblemHttpResult? Refused)> HeldRunAsync(long id, long runId, RemoteWorkers registry, ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        var (worker, refused) = await WorkerOfAsync(id, registry, user, cancellationToken);
        if (worker is null) return (null, refused);
        return await registry.HoldsAsync(worker, runId, cancellationToken) switch
        {
            HeldRun.Held => (worker, null),
            HeldRun.NoSuchRun => (null, NoSuchRun(runId)),
            _ => (null, NotHeld(id, runId)),
        };
    }

    private static ProblemHttpResult NoSuchWorker(long id) =>
        TypedResults.Problem(title: "No such worker.", detail: $"There is no worker {id}; register first.", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult NoSuchRun(long runId) =>
        TypedResults.Problem(title: "No such run.", detail: $"There is no run {runId}.", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult NotHeld(long id, long runId) =>
        TypedResults.Problem(title: "The run is not leased to this worker.",
            detail: $"Worker {id} does not hold run {runId}: its lease lapsed and the run went back to the queue, the worker was disabled, "
                + "or the run has finished. Stop training it without completing it.",
            statusCode: StatusCodes.Status409Conflict);

    private static ProblemHttpResult Gap(long runId, long expectedSeq, long gotSeq) =>
        TypedResults.Problem(title: "Events are missing.",
            detail: $"Run {runId} has its events stored up to {expectedSeq - 1}; send event {expectedSeq} next, not {gotSeq}.",
            statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["expectedSeq"] = expectedSeq });

    private static Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, long limit, string what,
        CancellationToken cancellationToken, JsonSerializerOptions? json = null, bool allowEmpty = false) where T : class =>
        JsonBody.ReadAsync<T>(request, limit, what, json ?? WorkerProtocol.JsonOptions, cancellationToken, allowEmpty);

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: $"'{field}': {message}");

}
