using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Web.Security;
using Tracker.Web.Tests.Support;

namespace Tracker.Web.Tests.Security;

/// <summary>No endpoint may be open by accident: each names a policy, or says it is open on purpose.</summary>
public sealed class EndpointPolicyTests(TrackerWebFactory factory) : IClassFixture<TrackerWebFactory>
{
    /// <summary>The endpoints that are open to strangers by design, by route prefix.</summary>
    private static readonly string[] OpenOnPurpose =
    [
        "/s/", "/account/signin", "/account/set-password", "/setup", "/healthz", "/Error", "/not-found", "/_blazor", "/_framework",
        "/_content/", "/app.", "/favicon", "/Tracker.Web.", "/Components/", "/Features/", // the last two: components' collocated scripts
    ];

    /// <summary>
    /// Development's catch-all for static web assets (not mapped in Production); without metadata of its own, the
    /// fallback policy (a reader) guards it.
    /// </summary>
    private const string DevelopmentStaticFileFallback = "/{**path:file}";

    private IReadOnlyList<RouteEndpoint> Endpoints()
    {
        _ = factory.Server; // builds the app, so every endpoint is mapped
        return factory.Services.GetServices<EndpointDataSource>().SelectMany(source => source.Endpoints).OfType<RouteEndpoint>().ToList();
    }

    private static string Route(RouteEndpoint endpoint) => "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');

    [Fact]
    public void EveryEndpoint_NamesAPolicyOrIsOpenOnPurpose()
    {
        var endpoints = Endpoints();
        Assert.True(endpoints.Count > 20, $"only {endpoints.Count} endpoints found");
        var unguarded = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any())
            .Select(Route).Where(route => route != DevelopmentStaticFileFallback).Distinct().ToList();
        Assert.True(unguarded.Count == 0, "Endpoints without a policy: " + string.Join(", ", unguarded));
    }

    [Fact]
    public void OpenEndpoints_AreOnlyTheOnesOpenByDesign()
    {
        var open = Endpoints().Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null).Select(Route).Distinct().ToList();
        var surprising = open.Where(route => !OpenOnPurpose.Any(prefix => route.StartsWith(prefix, StringComparison.Ordinal))).ToList();
        Assert.True(surprising.Count == 0, "Open endpoints not meant to be: " + string.Join(", ", surprising));
        Assert.Contains("/healthz", open);
        Assert.Contains(open, route => route.StartsWith("/s/", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryApiEndpoint_CarriesTheMethodAwareApiPolicyOrAStricterOne()
    {
        var api = Endpoints().Where(e => Route(e).StartsWith("/api/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(api);
        foreach (var endpoint in api)
        {
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            // Worker: only a worker token of an admin or member passes, no person and no read or write token (the remote worker protocol).
            Assert.True(policies.Intersect([Policies.Api, Policies.Admin, Policies.Account, Policies.Write, Policies.Worker]).Any(),
                $"{Route(endpoint)} has only [{string.Join(", ", policies)}]");
        }
    }
}
