using System.Net;
using Microsoft.AspNetCore.Identity;
using Tracker.Web.Data;
using Tracker.Web.Security;

namespace Tracker.Web.Features.Accounts;

/// <summary>
/// /setup exists only while no user does, and only for this machine: a stranger who reaches the port first must not
/// become the admin. Answered before the page renders (and before its form is processed).
/// </summary>
public static class SetupGate
{
    public static WebApplication UseSetupGate(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(AppUrls.Setup), setup => setup.Use(async (context, next) =>
        {
            if (!IsLoopback(context.Connection.RemoteIpAddress))
            {
                await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Setup is for this machine only.",
                    "Open /setup on the server itself (http://localhost:...), or start the app with Auth__BootstrapAdminToken.");
                return;
            }
            var users = context.RequestServices.GetRequiredService<UserManager<TrackerUser>>();
            if (users.Users.Any())
            {
                context.Response.Redirect(AppUrls.SignIn);
                return;
            }
            await next(context);
        }));
        return app;
    }

    /// <summary>A loopback address; an unknown one (no socket, as on a test server) is not.</summary>
    public static bool IsLoopback(IPAddress? address) => address is not null && IPAddress.IsLoopback(address);
}
