using Bunit;
using Radzen;

namespace Tracker.Web.Tests.Components;

/// <summary>A bUnit context with what Radzen components need: its services, and JS calls answered with defaults (no browser).</summary>
public abstract class ComponentTest : BunitContext
{
    protected ComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
    }
}
