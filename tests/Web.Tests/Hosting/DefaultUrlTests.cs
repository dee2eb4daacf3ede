using Microsoft.Extensions.Configuration;
using Tracker.Web.Extensions;

namespace Tracker.Web.Tests.Hosting;

public class DefaultUrlTests
{
    [Fact]
    public void NothingConfigured_UsesTheDefault()
    {
        Assert.False(HostingExtensions.HasConfiguredAddress(Configuration()));
    }

    [Theory]
    [InlineData("urls", "http://127.0.0.1:6000")]         // --urls or ASPNETCORE_URLS
    [InlineData("http_ports", "8080")]                      // ASPNETCORE_HTTP_PORTS, set by the container images
    [InlineData("https_ports", "8443")]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:7000")]
    public void AnyConfiguredAddress_WinsOverTheDefault(string key, string value)
    {
        Assert.True(HostingExtensions.HasConfiguredAddress(Configuration((key, value))));
    }

    [Fact]
    public void EmptyUrls_DoesNotCountAsConfigured()
    {
        Assert.False(HostingExtensions.HasConfiguredAddress(Configuration(("urls", " "))));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(setting => new KeyValuePair<string, string?>(setting.Key, setting.Value)))
            .Build();
}
