using Microsoft.Extensions.DependencyInjection.Extensions;
using Tracker.Web.Features.Ingest;

namespace Tracker.Web.Extensions;

/// <summary>The ingest API scripts log through (runs not trained by the queue); its endpoints are mapped with the API.</summary>
public static class IngestExtensions
{
    public static WebApplicationBuilder AddTrackerIngest(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestOptions>()
            .BindConfiguration(IngestOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ScriptRuns>();
        builder.Services.AddSingleton<BatchOrder>();
        return builder;
    }
}
