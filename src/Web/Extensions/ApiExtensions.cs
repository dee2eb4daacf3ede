using System.Text.Json;
using System.Text.Json.Serialization;
using Tracker.Web.Api;

namespace Tracker.Web.Extensions;

/// <summary>The HTTP API under /api and its OpenAPI document at /openapi/v1.json.</summary>
public static class ApiExtensions
{
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
        return builder;
    }

    public static WebApplication MapTrackerApi(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapGroup("/api").MapRuns().MapMetrics();
        return app;
    }
}
