using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tracker.Web.Features.Runs;
using Tracker.Web.Features.Sweeps;
using Tracker.Web.Features.Compare;
using Tracker.Web.Data;
using Tracker.Web.Extensions;
using Tracker.Web.Security;
using Tracker.Shared;

namespace Tracker.Web.Features.Sharing;

/// <summary>
/// /api/share makes, lists and revokes share links; /s/{token}/data and /s/{token}/data.csv read a link's target and
/// nothing else. Under /s/ only GET and HEAD are answered: a token never authorizes a change.
/// </summary>
public static class ShareEndpoints
{
    public const string SharePrefix = "/s";

    /// <summary>The methods answered under /s/.</summary>
    public static readonly string[] ReadMethods = [HttpMethods.Get, HttpMethods.Head];

    public static RouteGroupBuilder MapShare(this RouteGroupBuilder api)
    {
        var share = api.MapGroup("/share").WithTags("Share");
        share.MapPost("/", CreateAsync).WithName("CreateShareLink")
            .WithSummary("Make a read-only link")
            .WithDescription("kind: run | comparison | sweep | paperTable; target: a run id, a comparison query (runs=1,2&metrics=val/acc...), "
                + $"a sweep id or a paper table name; expiresInDays: 1 to {ShareLinks.MaxExpiryDays}, or none. 201 with the link's URL and "
                + "token, shown this once (only its hash is stored); 400 when the target is not valid or does not exist.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        share.MapGet("/", ListAsync).WithName("ListShareLinks")
            .WithSummary("The links made for one target")
            .WithDescription("kind and target as on creation (a comparison query is matched in its canonical form). Tokens are never listed. 400 for an unknown kind.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        share.MapDelete("/{id:long}", RevokeAsync).WithName("RevokeShareLink")
            .WithSummary("Revoke a link")
            .WithDescription("204; the link opens nothing from then on. Its maker or an admin only: 404 for an unknown link or someone else's.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>The share-scoped reads, and the refusal of any other method under /s/.</summary>
    public static WebApplication MapShareData(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(SharePrefix), shared => shared.Use(async (context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            await TypedResults.Problem(title: "A share link is read-only.", detail: "Only GET is answered under /s/.",
                statusCode: StatusCodes.Status405MethodNotAllowed).ExecuteAsync(context);
        }));
        // The token is the authorization: anyone holding it reads its target, and nothing else.
        var shared = app.MapGroup(SharePrefix).WithTags("Share").AllowAnonymous();
        // HEAD as well as GET, as the middleware above promises (the server sends HEAD answers without their body).
        shared.MapMethods("/{token}/data", ReadMethods, GetDataAsync).WithName("GetSharedData")
            .WithSummary("A share link's data")
            .WithDescription("Exactly the link's target: a comparison's runs and their points of the shown metrics, a run with all its "
                + "points, or a sweep's runs (paper tables open in the browser only: 501). The query string is ignored. 404 for an unknown, expired or revoked token.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status501NotImplemented);
        shared.MapMethods("/{token}/data.csv", ReadMethods, GetCsvAsync).WithName("GetSharedComparisonCsv")
            .WithSummary("A shared comparison's lines as CSV")
            .WithDescription("As /api/compare.csv for the link's comparison; the query string is ignored. 404 for an unknown, expired or revoked "
                + "token, or one that is not a comparison's.")
            .ProducesCsv("series,runs,metric,<x>,value,std,n, with a header row, as /api/compare.csv.")
            .ProducesMissingRunsHeader()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Created<ShareCreated>, ProblemHttpResult>> CreateAsync(
        ShareRequest request, HttpRequest http, ShareLinks links, AuditLog audit, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (InputRules.HasControlCharacter(request.Target))
            return TypedResults.Problem(title: "The link cannot be made.", detail: $"target: {InputRules.ControlCharacterMessage}", statusCode: StatusCodes.Status400BadRequest);
        var creation = await links.CreateAsync(request.Kind, request.Target, request.ExpiresInDays, cancellationToken, TrackerClaims.NameOf(user));
        if (creation.Link is not { } link)
            return TypedResults.Problem(title: "The link cannot be made.", detail: creation.Error, statusCode: StatusCodes.Status400BadRequest);
        var url = $"{http.Scheme}://{http.Host}{http.PathBase}{AppUrls.Share(link.Token)}";
        await audit.RecordAsync(user, AuditActions.Share, $"share {link.Id}", $"{link.Kind} {link.Target}", cancellationToken);
        return TypedResults.Created(url, new ShareCreated(link.Id, url, link.Token, link.Kind, link.Target, link.ExpiresAt));
    }

    private static async Task<Results<Ok<IReadOnlyList<ShareLinkInfo>>, ProblemHttpResult>> ListAsync(
        string kind, string target, ShareLinks links, CancellationToken cancellationToken)
    {
        // Parsed here, ignoring case, so the query takes the same "comparison" the JSON body does.
        if (!Enum.TryParse<ShareTargetKind>(kind, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(kind, out _))
            return TypedResults.Problem(title: "Invalid query.", detail: $"Unknown kind '{kind}'. Use one of: run, comparison, sweep, paperTable.",
                statusCode: StatusCodes.Status400BadRequest);
        return TypedResults.Ok(await links.ListAsync(parsed, target, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        long id, ShareLinks links, AuditLog audit, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        // Someone else's link answers as an unknown one, so ids cannot be probed and revoked blind.
        if (!MayRevoke(user, await links.CreatorOfAsync(id, cancellationToken)) || !await links.RevokeAsync(id, cancellationToken))
            return TypedResults.Problem(title: "No such link.", detail: $"You have no share link {id}.", statusCode: StatusCodes.Status404NotFound);
        await audit.RecordAsync(user, AuditActions.RevokeShare, $"share {id}", null, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>A link's maker may revoke it, and an admin any link.</summary>
    public static bool MayRevoke(ClaimsPrincipal user, (bool Found, string? CreatedBy) link) =>
        link.Found && (TrackerClaims.IsAdmin(user)
            || (AccessHandler.Allows(user, Access.Write) && link.CreatedBy is not null && link.CreatedBy == TrackerClaims.NameOf(user)));

    private static async Task<Results<Ok<SharedData>, ProblemHttpResult>> GetDataAsync(
        string token, ShareLinks links, TrackerDbContext context, CancellationToken cancellationToken)
    {
        if (await links.ResolveAsync(token, cancellationToken) is not { } target) return NotValid();
        switch (target.Kind)
        {
            case ShareTargetKind.Comparison:
                var state = CompareState.FromQuery(target.Target);
                var runs = new List<RunDetail>();
                foreach (var id in state.Runs)
                    if (await RunQueries.FindAsync(context, id, cancellationToken) is { } run) runs.Add(run);
                var found = runs.Select(r => r.Id).ToList();
                var points = await CompareQueries.PointsAsync(context, found, state.ShownMetrics, cancellationToken);
                var metrics = found.Select(id => new RunMetrics(id, points.Where(p => p.RunId == id).GroupBy(p => p.Key)
                    .Select(g => new MetricSeries(g.Key, g.Select(p => new MetricPointDto(p.Step, p.Epoch, p.Value, p.Time)).ToList())).ToList())).ToList();
                var comparison = new SharedComparison(state.ToQuery(), runs, state.Runs.Except(found).ToList(), metrics);
                return TypedResults.Ok(new SharedData(target.Kind, target.Target, target.ExpiresAt, comparison, null, null));
            case ShareTargetKind.Run:
                var runId = long.Parse(target.Target, System.Globalization.CultureInfo.InvariantCulture);
                if (await RunQueries.FindAsync(context, runId, cancellationToken) is not { } detail)
                    return TypedResults.Problem(title: "The shared run no longer exists.", statusCode: StatusCodes.Status404NotFound);
                var series = await MetricQueries.SeriesAsync(context, runId, keys: null, cancellationToken);
                return TypedResults.Ok(new SharedData(target.Kind, target.Target, target.ExpiresAt, null, detail, series));
            case ShareTargetKind.Sweep:
                if (await SweepQueries.FindAsync(context, target.Target, cancellationToken) is not { } sweep)
                    return TypedResults.Problem(title: "The shared sweep no longer exists.", statusCode: StatusCodes.Status404NotFound);
                return TypedResults.Ok(new SharedData(target.Kind, target.Target, target.ExpiresAt, null, null, null, sweep));
            default:
                return TypedResults.Problem(title: "This kind of link has no data view yet.", detail: $"{target.Kind} links open in the browser only.",
                    statusCode: StatusCodes.Status501NotImplemented);
        }
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> GetCsvAsync(
        string token, HttpContext http, ShareLinks links, TrackerDbContext context, CancellationToken cancellationToken)
    {
        if (await links.ResolveAsync(token, cancellationToken) is not { Kind: ShareTargetKind.Comparison } target) return NotValid();
        var result = await CompareQueries.LoadAsync(context, CompareState.FromQuery(target.Target), cancellationToken);
        await CompareEndpoints.WriteCsvAsync(http, result, "comparison.csv");
        return TypedResults.Empty;
    }

    public static ProblemHttpResult NotValid() =>
        TypedResults.Problem(title: "This link is not valid.", detail: "The share link is unknown, has expired or was revoked.", statusCode: StatusCodes.Status404NotFound);
}
