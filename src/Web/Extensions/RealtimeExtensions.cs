using Microsoft.Extensions.DependencyInjection.Extensions;
using Tracker.Shared;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;
using Tracker.Web.Security;

namespace Tracker.Web.Extensions;

/// <summary>
/// Live run events: the in-process notifier, the feed that announces stored events in order, the SignalR hub at
/// /hubs/runs (JSON and MessagePack), and on PostgreSQL the relay of other instances' events (LISTEN/NOTIFY).
/// </summary>
public static class RealtimeExtensions
{
    public static WebApplicationBuilder AddTrackerRealtime(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalR().AddMessagePackProtocol();
        builder.Services.AddSingleton<RunNotifier>();
        builder.Services.AddSingleton<RunEventPublisher>();
        builder.Services.AddSingleton<RunEventFeed>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StorageHealth>();
        builder.Services.AddHostedService<PostgresEventRelay>();
        return builder;
    }

    public static WebApplication MapTrackerRealtime(this WebApplication app)
    {
        app.MapHub<RunsHub>(RunsHubRoutes.Path).RequireAuthorization(Policies.Read);
        return app;
    }
}
