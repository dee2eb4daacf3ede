using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;
using Tracker.Web.Extensions;

namespace Tracker.Web.Features.Runs;

/// <summary>/api/runs/{id}/metrics: a run's recorded points, as JSON or CSV.</summary>
public static class MetricsEndpoints
{
    public const string CsvContentType = "text/csv";

    public static RouteGroupBuilder MapMetrics(this RouteGroupBuilder api)
    {
        api.MapGet("/runs/{id:long}/metrics", GetAsync).WithName("GetRunMetrics").WithTags("Metrics")
            .WithSummary("A run's metric points")
            .WithDescription("keys: comma-separated metric keys (all when left out). Points are ordered by key, then step. "
                + $"maxPoints: at most this many points per key ({MetricDownsampling.MinimumPoints} to {MetricQueries.MaxPointsLimit}), chosen to keep "
                + "the line's shape: the first and last point and each bucket's lowest and highest value, so a spike is never smoothed away; "
                + "all points when left out. "
                + "from, to: the first and last step to read (whole numbers from 0, from ≤ to), a zoomed chart's window; with maxPoints only. 400 naming the field, 404 for an unknown run. "
                + "JSON by default; CSV (run_id,key,step,epoch,value,time, always every point) with format=csv or Accept: text/csv.")
            .ProducesCsv("run_id,key,step,epoch,value,time: every point, with a header row.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Results<Ok<RunMetrics>, EmptyHttpResult, ProblemHttpResult>> GetAsync(
        long id, HttpContext http, TrackerDbContext context, CancellationToken cancellationToken, string? keys = null, string? format = null, string? maxPoints = null,
        string? from = null, string? to = null)
    {
        // Read as text so that "many" gets the same sentence naming the field as 0 does, not the binder's bare 400.
        if (maxPoints is not null && MetricQueries.CheckMaxPoints(maxPoints) is { } problem)
            return TypedResults.Problem(title: "Invalid query.", detail: problem, statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["field"] = "maxPoints" });
        int? pointBudget = maxPoints is null ? null : int.Parse(maxPoints, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture);
        if (MetricQueries.CheckStepRange(from, to, pointBudget is not null) is { Field: var field, Problem: var rangeProblem })
            return TypedResults.Problem(title: "Invalid query.", detail: rangeProblem, statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["field"] = field });
        var (fromStep, toStep) = (MetricQueries.ParseStep(from), MetricQueries.ParseStep(to));
        if (!await context.Runs.AnyAsync(r => r.Id == id, cancellationToken)) return RunsEndpoints.NoSuchRun(id);
        var keyList = MetricQueries.ParseKeys(keys);
        if (!WantsCsv(http.Request, format))
            return TypedResults.Ok(pointBudget is { } max
                ? await MetricQueries.DownsampledSeriesAsync(context, id, keyList, max, cancellationToken, fromStep, toStep)
                : await MetricQueries.SeriesAsync(context, id, keyList, cancellationToken));

        http.Response.ContentType = $"{CsvContentType}; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"run-{id}-metrics.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        await MetricQueries.WriteCsvAsync(context, id, keyList, writer, cancellationToken);
        return TypedResults.Empty;
    }

    private static bool WantsCsv(HttpRequest request, string? format) =>
        format is not null
            ? string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
            : request.GetTypedHeaders().Accept.Any(accept => accept.MediaType.Equals(CsvContentType, StringComparison.OrdinalIgnoreCase));
}
