using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Tracker.Web.IntegrationTests.Support;

/// <summary>
/// The whole app on the test server, with <paramref name="settings"/> layered over its configuration and
/// <paramref name="services"/> (if any) over its services.
/// </summary>
public sealed class TrackerAppFactory(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));
        if (services is not null) builder.ConfigureTestServices(services);
    }
}
