using Radzen;
using Tracker.Web.Components;

namespace Tracker.Web.Extensions;

/// <summary>The Blazor Server UI: Razor components with Radzen, rendered interactively over the circuit.</summary>
public static class UiExtensions
{
    public static WebApplicationBuilder AddTrackerUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddRadzenComponents();
        return builder;
    }

    /// <summary>
    /// Outside Development an exception shows the Error page; an unmatched URL shows NotFound.
    /// No HTTPS redirection or HSTS: the app serves plain HTTP behind a proxy that terminates TLS.
    /// </summary>
    public static WebApplication UseTrackerErrorPages(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler(AppUrls.Error, createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute(AppUrls.NotFound, createScopeForStatusCodePages: true);
        return app;
    }

    public static WebApplication MapTrackerUi(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
