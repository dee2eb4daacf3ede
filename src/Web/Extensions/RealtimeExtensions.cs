using Tracker.Shared;
using Tracker.Web.Realtime;
using Tracker.Web.Security;

namespace Tracker.Web.Extensions;

/// <summary>Live run events: the in-process notifier, the publisher, and the SignalR hub at /hubs/runs.</summary>
public static class RealtimeExtensions
{
    public static WebApplicationBuilder AddTrackerRealtime(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<RunNotifier>();
        builder.Services.AddSingleton<RunEventPublisher>();
        return builder;
    }

    public static WebApplication MapTrackerRealtime(this WebApplication app)
    {
        app.MapHub<RunsHub>(RunsHubRoutes.Path).RequireAuthorization(Policies.Read);
        return app;
    }
}
