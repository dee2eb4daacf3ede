using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Tracker.Web.Tests.Components;

/// <summary>A bUnit context with what MudBlazor components need: its services, and JS calls answered with defaults (no browser).</summary>
public abstract class ComponentTest : BunitContext
{
    protected ComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddScoped<Tracker.Web.Components.Library.ThemeMode>();
        Services.AddScoped<Tracker.Web.Components.Library.ChartDraws>();
    }

    // Some of MudBlazor's services dispose only asynchronously, and xUnit disposes a test class synchronously.
    protected override void Dispose(bool disposing)
    {
        if (disposing) DisposeAsync().AsTask().GetAwaiter().GetResult();
        else base.Dispose(disposing);
    }
}
