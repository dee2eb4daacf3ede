using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tracker.Web.Data;
using Tracker.Web.Features.Accounts;
using Tracker.Web.Features.Compare;
using Tracker.Web.Features.Ingest;
using Tracker.Web.Features.Runs;
using Tracker.Web.Features.Sharing;
using Tracker.Web.Features.Sweeps;
using Tracker.Web.Features.Views;
using Tracker.Web.Features.Webhooks;
using Tracker.Web.Features.Workers;
using Tracker.Shared;
using Tracker.Web.Security;

namespace Tracker.Web.Extensions;

/// <summary>The HTTP API under /api and its OpenAPI document at /openapi/v1.json.</summary>
public static class ApiExtensions
{
    public const string ApiPrefix = "/api";

    public static WebApplicationBuilder AddTrackerApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddTrackerOpenApi();
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            // Statuses read as words; a diverged run's infinite values must not break a response.
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            options.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        // A query value that does not bind (page=abc) is a 400 that the middleware below turns into a problem, not a
        // developer exception page.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ShareLinks>();
        builder.Services.AddSingleton<RunTrash>();
        builder.Services.AddSingleton<RunActions>();
        builder.Services.AddSingleton<RunBulkActions>();
        builder.Services.AddScoped<UserAdmin>();
        builder.Services.AddSingleton<RemoteWorkers>();
        return builder;
    }

    /// <summary>
    /// API clients read JSON: under /api an error without a body (a binding failure, an unknown path) becomes a
    /// ProblemDetails instead of the UI's re-executed not-found page, and a failing database a 503/507. It goes before
    /// authentication, whose token lookup reads (and now and then writes) the database too.
    /// </summary>
    public static WebApplication UseTrackerApiProblems(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(ApiPrefix), api => api.Use(async (context, next) =>
        {
            if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages) statusCodePages.Enabled = false;
            // A NUL in a query value reaches PostgreSQL as a 500; no parameter of the API has a use for control characters.
            if (context.Request.Query.FirstOrDefault(p => InputRules.HasControlCharacter(p.Key) || p.Value.Any(InputRules.HasControlCharacter)) is { Key: not null } bad)
            {
                var name = InputRules.HasControlCharacter(bad.Key) ? "query" : bad.Key;
                await TypedResults.ValidationProblem(new Dictionary<string, string[]> { [name] = [InputRules.ControlCharacterMessage] },
                    title: $"The query parameter '{name}' is not valid.").ExecuteAsync(context);
                return;
            }
            try
            {
                await next(context);
            }
            catch (Exception error) when (StorageErrors.HttpStatusOf(error) is { } status && !context.Response.HasStarted)
            {
                // The database is down or full: the client hears that, and that trying later may work, not a bare 500.
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Tracker.Web.Api")
                    .LogWarning(error, "The database failed a request to {Path}", context.Request.Path);
                context.Response.StatusCode = status;
                if (status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "5";
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = status,
                        Title = status == StatusCodes.Status507InsufficientStorage ? "The database has no space left." : "The database is unavailable.",
                        Detail = error.InnerException?.Message ?? error.Message,
                    },
                });
                return;
            }
            catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                // Any other failure: API clients still get a problem, never the UI's HTML error page.
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiExtensions))
                    .LogError(ex, "Unhandled error in {Method} {Path}", context.Request.Method, context.Request.Path);
                context.Response.Clear();
                await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, "The server failed to answer.",
                    "An unexpected error occurred; it was logged. Try again later.");
                return;
            }
            var response = context.Response;
            if (response.StatusCode >= 400 && !response.HasStarted && response.ContentLength is null && response.ContentType is null)
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext { HttpContext = context });
        }));
        return app;
    }

    public static WebApplication MapTrackerApi(this WebApplication app)
    {
        app.MapOpenApi().RequireAuthorization(Policies.Read);
        // Every endpoint of the group needs a reader for GET/HEAD and a writer for any other method (Policies.Api);
        // endpoints that need more (admin, own runs only) say so on top.
        app.MapGroup(ApiPrefix).RequireAuthorization(Policies.Api)
            .MapRuns().MapRunDownloads().MapIngest().MapMetrics().MapSweeps().MapViews().MapCompare().MapShare().MapWebhooks().MapUsers().MapAudit().MapWorkersAdmin();
        app.MapTokens(ApiPrefix);
        app.MapWorkerProtocol();
        app.MapGet("/healthz", () => TypedResults.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        app.MapShareData();
        return app;
    }
}
