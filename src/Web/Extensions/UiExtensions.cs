using MudBlazor;
using MudBlazor.Services;
using Tracker.Web.Components;
using Tracker.Web.Features.Accounts;

namespace Tracker.Web.Extensions;

/// <summary>The Blazor Server UI: Razor components with MudBlazor (decision 0060), rendered interactively over the circuit.</summary>
public static class UiExtensions
{
    public static WebApplicationBuilder AddTrackerUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
            options.SnackbarConfiguration.VisibleStateDuration = 5000;
        });
        builder.Services.AddScoped<Components.Library.ThemeMode>();
        builder.Services.AddScoped<Components.Library.ChartDraws>();
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
        app.UseSetupGate();
        app.UseAntiforgery();
        app.MapStaticAssets().AllowAnonymous();
        // Pages carry their own policies ([Authorize] in _Imports.razor, [AllowAnonymous] on sign-in, setup and share
        // pages). The circuit's endpoints (/_blazor, /_framework) are open, because an anonymous share-link page runs over a circuit
        // too; the router (AuthorizeRouteView) then checks every page the circuit navigates to.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode()
            .Add(endpoint =>
            {
                if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } route }
                    && (route.StartsWith("/_blazor", StringComparison.Ordinal) || route.StartsWith("/_framework/", StringComparison.Ordinal)))
                    endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute());
                // A share link's page answers HEAD as well as GET, like its data (Features/Sharing/ShareEndpoints); POST stays
                // mapped (as for every page) so that it reaches the share middleware's 405 rather than the sign-in redirect.
                if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } page } && page.StartsWith(AppUrls.Share(""), StringComparison.Ordinal))
                    endpoint.Metadata.Add(new HttpMethodMetadata([.. Features.Sharing.ShareEndpoints.ReadMethods, HttpMethods.Post]));
            });
        return app;
    }
}
