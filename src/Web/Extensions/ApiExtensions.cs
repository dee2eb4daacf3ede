using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tracker.Web.Data;
using Tracker.Web.Features.Compare;
using Tracker.Web.Features.Runs;
using Tracker.Web.Features.Sharing;
using Tracker.Web.Features.Sweeps;
using Tracker.Web.Features.Views;
using Tracker.Web.Features.Webhooks;

namespace Tracker.Web.Extensions;

/// <summary>The HTTP API under /api and its OpenAPI document at /openapi/v1.json.</summary>
public static class ApiExtensions
{
    public const string ApiPrefix = "/api";

    public static WebApplicationBuilder AddTrackerApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
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
        return builder;
    }

    public static WebApplication MapTrackerApi(this WebApplication app)
    {
        // API clients read JSON: under /api an error without a body (a binding failure, an unknown path) becomes a
        // ProblemDetails instead of the UI's re-executed not-found page.
        app.UseWhen(context => context.Request.Path.StartsWithSegments(ApiPrefix), api => api.Use(async (context, next) =>
        {
            if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages) statusCodePages.Enabled = false;
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
            var response = context.Response;
            if (response.StatusCode >= 400 && !response.HasStarted && response.ContentLength is null && response.ContentType is null)
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext { HttpContext = context });
        }));
        app.MapOpenApi();
        app.MapGroup(ApiPrefix).MapRuns().MapMetrics().MapSweeps().MapViews().MapCompare().MapShare().MapWebhooks();
        app.MapShareData();
        return app;
    }
}
