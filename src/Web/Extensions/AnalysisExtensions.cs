using Tracker.Web.Features.Sweeps;
using Tracker.Web.Features.Webhooks;

namespace Tracker.Web.Extensions;

/// <summary>Sweeps with searches and early stopping, and the webhooks that announce run endings.</summary>
public static class AnalysisExtensions
{
    public static WebApplicationBuilder AddTrackerSweepsAndWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SweepSubmitter>();
        builder.Services.AddSingleton<SweepEarlyStopping>();
        builder.Services.AddHostedService<SweepEarlyStoppingListener>();

        builder.Services.AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // Receivers are other people's servers: no cookies, no automatic redirects to follow a POST elsewhere.
        builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        builder.Services.AddSingleton<Webhooks>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WebhookDispatcher>());
        return builder;
    }
}
