using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Tracker.Web.Data;
using Tracker.Web.Realtime;
using Tracker.Web.Security;

namespace Tracker.Web.Extensions;

/// <summary>
/// Accounts (ASP.NET Core Identity on the app's database), the session cookie and API tokens, the policies every
/// endpoint names, the API's same-origin check and the sign-in rate limit (docs/decisions/0030).
/// </summary>
public static class SecurityExtensions
{
    /// <summary>Picks the cookie or the token handler per request, so one scheme serves pages, the API and the hub.</summary>
    public const string Scheme = "Tracker";
    public const string SignInRateLimit = "sign-in";
    /// <summary>The session cookie's name (the API description lists it as a security scheme).</summary>
    public const string SessionCookie = "tracker.session";

    public static WebApplicationBuilder AddTrackerSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName)
            .Validate(options => options.IsValid, $"Auth:BootstrapAdminToken must be at least {ApiTokens.MinBootstrapTokenLength} characters (or empty).")
            .ValidateOnStart();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = Scheme;
                options.DefaultAuthenticateScheme = Scheme;
                options.DefaultChallengeScheme = Scheme;
                options.DefaultForbidScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, "Session cookie or API token", options => options.ForwardDefaultSelector = context =>
                TokenAuthenticationHandler.TokenOf(context.Request) is not null ? TokenAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();

        services.AddIdentityCore<TrackerUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = true; // "confirmed" is "not disabled" (DisabledUserConfirmation)
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                options.Lockout.AllowedForNewUsers = true;
                options.Password.RequiredLength = 10;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireDigit = false;
                options.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@";
            })
            .AddRoles<IdentityRole<long>>()
            .AddEntityFrameworkStores<TrackerDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.AddScoped<IUserConfirmation<TrackerUser>, DisabledUserConfirmation>();
        // A disabled user's or changed role's session follows within this long (the stamp is checked, the role re-read).
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromSeconds(30));
        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = SessionCookie;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            // Secure whenever the request came over HTTPS (behind a proxy: with forwarded headers enabled).
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.LoginPath = AppUrls.SignIn;
            options.LogoutPath = AppUrls.SignOut;
            options.AccessDeniedPath = AppUrls.AccessDenied;
            options.ExpireTimeSpan = TimeSpan.FromDays(14);
            options.SlidingExpiration = true;
            options.Events = new CookieAuthenticationEvents
            {
                // Scripts and the hub hear a status and a problem, not a redirect to an HTML page.
                OnRedirectToLogin = context => IsMachineRequest(context.Request)
                    ? Problems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Authentication required.",
                        "Send a valid token (Authorization: Bearer <token>) or sign in.")
                    : RedirectAsync(context),
                OnRedirectToAccessDenied = context => IsMachineRequest(context.Request)
                    ? Problems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Not allowed.", "Your role does not allow this.")
                    : RedirectAsync(context),
            };
        });

        services.AddAuthorization(Policies.Add);
        services.AddSingleton<IAuthorizationHandler, AccessHandler>();
        services.AddCascadingAuthenticationState();
        services.AddSingleton<ApiTokens>();
        services.AddSingleton<AuthFailureLimiter>();
        services.AddSingleton<AuditLog>();
        services.AddHostedService<AccountSeeder>();

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Sign-in and setup attempts per client address; Identity's lockout also stops guessing one account's password.
            // Only the form posts count: opening the page is free.
            options.AddPolicy(SignInRateLimit, context => HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(AuthFailureLimiter.ClientOf(context),
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.SignInsPerMinute), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter("page"));
        });
        return builder;
    }

    public static WebApplication UseTrackerSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(ApiExtensions.ApiPrefix), api => api.Use(async (context, next) =>
        {
            if (!SameOriginCheck.Passes(context.Request))
            {
                await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Cross-origin request refused.",
                    "A request signed in by the session cookie must come from this site's own pages; scripts send a token instead.");
                return;
            }
            await next(context);
        }));
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    private static bool IsMachineRequest(HttpRequest request) =>
        request.Path.StartsWithSegments(ApiExtensions.ApiPrefix) || request.Path.StartsWithSegments(Shared.RunsHubRoutes.Path)
        || request.Path.StartsWithSegments("/openapi")
        || request.Path.StartsWithSegments("/_blazor");

    private static Task RedirectAsync(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
