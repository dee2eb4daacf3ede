using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Api;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Features.Sharing;

namespace Tracker.Web.IntegrationTests.Sharing;

/// <summary>Share links on both databases: only hashes stored, expiry and revocation, and a token that opens its target alone.</summary>
public class ShareLinksTests
{
    private static ShareLinks Links(ApiHost host) => host.App.Services.GetRequiredService<ShareLinks>();

    private static async Task<(long A, long B)> TwoRunsWithPointsAsync(ApiHost host)
    {
        var a = await host.SubmitAsync(ApiHost.Config("run-a"));
        var b = await host.SubmitAsync(ApiHost.Config("run-b"));
        await host.Metrics.AppendAsync([
            RunsApiTests.Point(a, MetricKeys.ValAcc, 1, 50), RunsApiTests.Point(a, MetricKeys.ValAcc, 2, 60),
            RunsApiTests.Point(b, MetricKeys.ValAcc, 1, 70), RunsApiTests.Point(b, MetricKeys.ValAcc, 2, 80)]);
        return (a, b);
    }

    /// <summary>Makes a link through POST /api/share and returns its answer ({id, url, token, ...}).</summary>
    internal static async Task<JsonNode> ShareAsync(ApiHost host, string kind, string target, int? expiresInDays = null)
    {
        using var response = await host.Client.PostAsJsonAsync("/api/share", new { kind, target, expiresInDays });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    [Theory, SqliteData, PostgresData]
    public async Task Create_StoresOnlyTheTokensHash_NeverTheToken(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var (a, _) = await TwoRunsWithPointsAsync(host);

        var created = (await Links(host).CreateAsync(ShareTargetKind.Comparison, $"runs={a}", expiresInDays: null)).Link!;

        await using var context = host.Database.CreateDbContext();
        var row = await context.ShareLinks.AsNoTracking().SingleAsync();
        Assert.Equal(ShareLinks.Hash(created.Token), row.TokenHash);
        Assert.DoesNotContain(created.Token, row.TokenHash + row.Target + row.TargetKind, StringComparison.Ordinal);
        if (provider == DatabaseProvider.Sqlite)
        {
            SqliteConnection.ClearAllPools();
            var folder = Path.GetDirectoryName(host.Database.Options.SqlitePath)!;
            foreach (var file in Directory.GetFiles(folder))
                Assert.DoesNotContain(created.Token, System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task Resolve_OpensTheTarget_UntilItExpires_OrIsRevoked(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var (a, _) = await TwoRunsWithPointsAsync(host);
        var links = Links(host);
        var expiring = (await links.CreateAsync(ShareTargetKind.Run, $"{a}", expiresInDays: 1)).Link!;
        var revoked = (await links.CreateAsync(ShareTargetKind.Run, $"{a}", expiresInDays: null)).Link!;
        var now = DateTime.UtcNow;

        Assert.Equal(ShareTargetKind.Run, (await links.ResolveAsync(expiring.Token, now))!.Kind);
        Assert.Equal($"{a}", (await links.ResolveAsync(expiring.Token, now.AddHours(23)))!.Target);
        Assert.Null(await links.ResolveAsync(expiring.Token, now.AddDays(1).AddMinutes(1)));

        Assert.NotNull(await links.ResolveAsync(revoked.Token, now));
        Assert.True(await links.RevokeAsync(revoked.Id));
        Assert.Null(await links.ResolveAsync(revoked.Token, now));

        Assert.Null(await links.ResolveAsync(ShareLinks.NewToken(), now));
        var listed = await links.ListAsync(ShareTargetKind.Run, $"{a}");
        Assert.Equal([revoked.Id, expiring.Id], listed.Select(l => l.Id));
        Assert.Equal([false, true], listed.Select(l => l.Active));
        Assert.NotNull(listed[0].RevokedAt);
    }

    [Theory, SqliteData, PostgresData]
    public async Task AComparisonOfRunA_CannotReadRunB_ThroughTheShareUrls(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var (a, b) = await TwoRunsWithPointsAsync(host);
        var token = (await ShareAsync(host, "comparison", $"runs={a}&metrics={MetricKeys.ValAcc}"))["token"]!.GetValue<string>();

        foreach (var url in new[] { $"/s/{token}/data", $"/s/{token}/data?runs={b}", $"/s/{token}/data?runs={a},{b}" })
        {
            var data = await host.GetJsonAsync(url);
            var comparison = data["comparison"]!;
            Assert.Equal([a], comparison["runs"]!.AsArray().Select(r => r!["id"]!.GetValue<long>()));
            var metrics = Assert.Single(comparison["metrics"]!.AsArray());
            Assert.Equal(a, metrics!["runId"]!.GetValue<long>());
            Assert.Equal([50.0, 60.0], metrics["series"]![0]!["points"]!.AsArray().Select(p => p!["value"]!.GetValue<double>()));
        }

        var csv = await host.Client.GetStringAsync($"/s/{token}/data.csv?runs={b}");
        Assert.Contains($"#{a} run-a", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("run-b", csv, StringComparison.Ordinal);

        var page = await host.Client.GetStringAsync($"/s/{token}?runs={b}");
        Assert.Contains($"#{a} run-a", page, StringComparison.Ordinal);
        Assert.DoesNotContain("run-b", page, StringComparison.Ordinal);
        Assert.DoesNotContain(">Share<", page, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task AShareToken_AllowsNoWrite(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var (a, _) = await TwoRunsWithPointsAsync(host);
        var token = (await ShareAsync(host, "run", $"{a}"))["token"]!.GetValue<string>();

        foreach (var (method, url) in new[]
                 {
                     (HttpMethod.Post, $"/s/{token}"), (HttpMethod.Delete, $"/s/{token}"), (HttpMethod.Post, $"/s/{token}/data"),
                     (HttpMethod.Put, $"/s/{token}/data"), (HttpMethod.Patch, $"/s/{token}/data"), (HttpMethod.Delete, $"/s/{token}/data"),
                     (HttpMethod.Post, $"/s/{token}/runs/{a}/cancel"),
                 })
        {
            using var request = new HttpRequestMessage(method, url) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
            using var response = await host.Client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.MethodNotAllowed, $"{method} {url}: {(int)response.StatusCode}");
        }
        // The run is still there, untouched, and the link still reads it.
        var data = await host.GetJsonAsync($"/s/{token}/data");
        Assert.Equal(a, data["run"]!["id"]!.GetValue<long>());
        Assert.Equal("queued", data["run"]!["status"]!.GetValue<string>());
        using var other = await host.Client.GetAsync($"/s/{token}/runs/{a}");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Theory, SqliteData, PostgresData]
    public async Task ARevokedOrUnknownLink_IsNotValid_OverTheApiAndInTheBrowser(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var (a, b) = await TwoRunsWithPointsAsync(host);
        var target = $"runs={a},{b}";
        var created = await ShareAsync(host, "comparison", target, expiresInDays: 7);
        var (id, token) = (created["id"]!.GetValue<long>(), created["token"]!.GetValue<string>());
        Assert.Equal($"/s/{token}", new Uri(created["url"]!.GetValue<string>()).AbsolutePath);

        var listed = (await host.GetJsonAsync($"/api/share?kind=comparison&target={Uri.EscapeDataString($"runs={a},{b}&x=epoch")}")).AsArray();
        Assert.Equal([id], listed.Select(l => l!["id"]!.GetValue<long>()));
        Assert.DoesNotContain(token, listed.ToJsonString(), StringComparison.Ordinal);

        using (var revoke = await host.Client.DeleteAsync($"/api/share/{id}")) Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using (var again = await host.Client.DeleteAsync("/api/share/987654")) Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);

        foreach (var dead in new[] { token, ShareLinks.NewToken(), "not-a-token" })
        {
            using var data = await host.Client.GetAsync($"/s/{dead}/data");
            Assert.Equal(HttpStatusCode.NotFound, data.StatusCode);
            using var page = await host.Client.GetAsync($"/s/{dead}");
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("This link is not valid", html, StringComparison.Ordinal);
            Assert.DoesNotContain("run-a", html, StringComparison.Ordinal);
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task ALinkToSomethingThatDoesNotExist_IsNotMade(DatabaseProvider provider)
    {
        await using var host = await ApiHost.StartAsync(provider);
        var (a, _) = await TwoRunsWithPointsAsync(host);

        foreach (var body in new object[]
                 {
                     new { kind = "comparison", target = $"runs={a},424242" }, new { kind = "run", target = "424242" },
                     new { kind = "sweep", target = "no-such-sweep" }, new { kind = "run", target = $"{a}", expiresInDays = 0 },
                 })
        {
            using var response = await host.Client.PostAsJsonAsync("/api/share", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        await using var context = host.Database.CreateDbContext();
        Assert.Equal(0, await context.ShareLinks.CountAsync());
    }
}
