namespace Tracker.Web.Extensions;

/// <summary>Where the app listens when nobody said otherwise.</summary>
public static class HostingExtensions
{
    /// <summary>Plain HTTP on loopback: a reverse proxy in front terminates TLS.</summary>
    public const string DefaultUrl = "http://localhost:5080";

    // Any of these means the operator chose an address (--urls, ASPNETCORE_URLS, the container
    // images' ASPNETCORE_HTTP_PORTS, Kestrel:Endpoints in appsettings).
    private static readonly string[] AddressKeys = ["urls", "http_ports", "https_ports"];

    /// <summary>
    /// Listens on <see cref="DefaultUrl"/> unless an address is configured. The default is set in
    /// code rather than as "Urls" in appsettings.json because appsettings outranks ASPNETCORE_URLS.
    /// </summary>
    public static WebApplicationBuilder UseTrackerDefaultUrl(this WebApplicationBuilder builder)
    {
        if (!HasConfiguredAddress(builder.Configuration))
            builder.WebHost.UseUrls(DefaultUrl);
        return builder;
    }

    public static bool HasConfiguredAddress(IConfiguration configuration) =>
        AddressKeys.Any(key => !string.IsNullOrWhiteSpace(configuration[key]))
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
