using System.ComponentModel;
using System.Text;
using Microsoft.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Tracker.Web.Features.Runs;
using Tracker.Web.Data;
using Tracker.Web.Extensions;

namespace Tracker.Web.Features.Compare;

/// <summary>/api/compare.csv: the lines of a comparison view, for the view's "Download CSV" link and for scripts.</summary>
public static class CompareEndpoints
{
    /// <summary>Lists the asked-for run ids that do not exist, comma-separated, beside the CSV.</summary>
    public const string MissingRunsHeader = "X-Missing-Runs";

    public static RouteGroupBuilder MapCompare(this RouteGroupBuilder api)
    {
        api.MapGet("/compare.csv", GetCsvAsync).WithName("GetComparisonCsv").WithTags("Compare")
            .WithSummary("A comparison's lines as CSV")
            .WithDescription("The query is the comparison page's: runs (comma-separated ids), metrics, smooth, x (epoch|step|time), group "
                + "(a config field path). Columns: series,runs,metric,<x>,value,std,n; grouped series are the group's mean and sample "
                + "standard deviation over n runs. Unknown run ids are listed in the X-Missing-Runs header. 400 when runs names no run id.")
            .ProducesCsv("series,runs,metric,<x>,value,std,n, with a header row.")
            .ProducesMissingRunsHeader()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    /// <summary>Declares the <see cref="MissingRunsHeader"/> of a comparison CSV's 200 (after its <c>ProducesCsv</c>).</summary>
    public static TBuilder ProducesMissingRunsHeader<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.GetValueOrDefault("200") is OpenApiResponse ok)
                (ok.Headers ??= new Dictionary<string, IOpenApiHeader>())[MissingRunsHeader] = new OpenApiHeader
                {
                    Description = "The asked-for run ids that do not exist, comma-separated; absent when every run was found.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            return Task.CompletedTask;
        });

    /// <summary>The page's query values, bound one by one so the API description lists them; a repeated key's values arrive joined with ','.</summary>
    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> GetCsvAsync(
        HttpContext http, TrackerDbContext context, CancellationToken cancellationToken,
        [Description("Run ids, comma-separated (required), e.g. 1,2,3.")] string? runs = null,
        [Description("Metric keys, comma-separated; val/acc and train/loss when left out.")] string? metrics = null,
        [Description("Exponential moving average weight, 0 (raw, the default) to 0.99.")] string? smooth = null,
        [Description("The x column: epoch (default), step or time (seconds since the run started).")] string? x = null,
        [Description("A config field path (method, dropout.rate, seed) whose value groups runs into one mean series.")] string? group = null)
    {
        var state = CompareState.Parse(runs, metrics, smooth, x, group, hide: null);
        if (state.Runs.Count == 0)
            return TypedResults.Problem(title: "Invalid query.", detail: "runs must name at least one run id, e.g. runs=1,2.", statusCode: StatusCodes.Status400BadRequest);
        var result = await CompareQueries.LoadAsync(context, state, cancellationToken);
        await WriteCsvAsync(http, result, "comparison.csv");
        return TypedResults.Empty;
    }

    /// <summary>Answers with the comparison as a CSV attachment named <paramref name="fileName"/>.</summary>
    public static async Task WriteCsvAsync(HttpContext http, CompareResult result, string fileName)
    {
        http.Response.ContentType = $"{MetricsEndpoints.CsvContentType}; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        if (result.MissingRuns.Count > 0) http.Response.Headers[MissingRunsHeader] = string.Join(',', result.MissingRuns);
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        await CompareCsv.WriteAsync(result, writer);
    }
}
