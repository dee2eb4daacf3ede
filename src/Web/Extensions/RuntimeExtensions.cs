using Tracker.Web.Runtime;

namespace Tracker.Web.Extensions;

public static class RuntimeExtensions
{
    /// <summary>What the app needs to see the libtorch runtime the training engine uses.</summary>
    public static WebApplicationBuilder AddTrackerRuntime(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TorchRuntimeProbe>();
        return builder;
    }
}
