using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Data;
using Tracker.Web.Security;
using Tracker.Web.Tests.Support;

namespace Tracker.Web.Tests.Security;

/// <summary>Host header, the bootstrap token, /setup, the hub, rate limits and the open endpoints.</summary>
public sealed class HostingSecurityTests
{
    [Fact]
    public async Task UnknownHostHeader_Is400()
    {
        using var factory = new TrackerWebFactory();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/runs");
        request.Headers.Host = "evil.example";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task AllowedHosts_IsConfigurable()
    {
        using var factory = TrackerWebFactory.With(bootstrapAdmin: true, new() { ["AllowedHosts"] = "tracker.example.org" });
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Host = "tracker.example.org";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task BootstrapToken_MakesTheAdminUser_StoredHashed_AndOpensTheAdminApi()
    {
        using var factory = new TrackerWebFactory();
        using var client = factory.CreateClient();

        var users = (await client.GetFromJsonAsync<JsonArray>("/api/users"))!;

        var admin = Assert.Single(users)!;
        Assert.Equal(("admin", "admin"), (admin["userName"]!.GetValue<string>(), admin["role"]!.GetValue<string>()));
        await using var scope = factory.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TrackerDbContext>();
        var token = await context.ApiTokens.SingleAsync();
        Assert.Equal((TokenScope.Write, ApiTokens.Hash(TestAuth.AdminToken)), (token.Scope, token.TokenHash));
    }

    [Fact]
    public async Task NoUsersAndNoToken_SetupIsRefusedToAnotherMachine()
    {
        using var factory = TrackerWebFactory.With(bootstrapAdmin: false);
        factory.ClientAddress = IPAddress.Parse("203.0.113.7");
        using var client = factory.CreateAnonymousClient();

        using var page = await client.GetAsync("/setup");
        using var post = await client.PostAsync("/setup", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "setup", ["Input.UserName"] = "mallory", ["Input.Password"] = "mallory's password",
        }));

        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Empty(scope.ServiceProvider.GetRequiredService<UserManager<TrackerUser>>().Users);
    }

    [Fact]
    public async Task NoUsers_SetupFromThisMachine_MakesTheFirstAdmin_ThenCloses()
    {
        using var factory = TrackerWebFactory.With(bootstrapAdmin: false);
        factory.ClientAddress = IPAddress.Loopback;
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Authorization = null;

        using var created = await FormSignIn.PostFormAsync(client, "/setup",
            new Dictionary<string, string> { ["Input.UserName"] = "alice", ["Input.Password"] = "alice's long password" });

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        using (var home = await client.GetAsync("/")) Assert.Equal(HttpStatusCode.OK, home.StatusCode); // signed in as alice
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<TrackerUser>>();
            var alice = await users.FindByNameAsync("alice");
            Assert.NotNull(alice);
            Assert.True(await users.IsInRoleAsync(alice, Roles.Admin));
        }
        using var again = await client.GetAsync("/setup");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
    }

    [Fact]
    public async Task Hub_RefusesStrangers_AndTakesAnAccessTokenInTheQuery()
    {
        using var factory = new TrackerWebFactory();
        var sockets = factory.Server.CreateWebSocketClient();

        await Assert.ThrowsAnyAsync<Exception>(() => sockets.ConnectAsync(new Uri("ws://localhost" + RunsHubRoutes.Path), CancellationToken.None));

        using var socket = await sockets.ConnectAsync(new Uri($"ws://localhost{RunsHubRoutes.Path}?access_token={TestAuth.AdminToken}"), CancellationToken.None);
        // The SignalR JSON protocol by hand: a handshake, then a JoinRun that must complete without an error.
        await HubRecords.SendAsync(socket, """{"protocol":"json","version":1}""");
        Assert.Equal("{}", await HubRecords.ReceiveAsync(socket));
        await HubRecords.SendAsync(socket, """{"type":1,"invocationId":"1","target":"JoinRun","arguments":["1"]}""");
        var completion = await HubRecords.ReceiveAsync(socket);
        Assert.Contains("\"invocationId\":\"1\"", completion, StringComparison.Ordinal);
        Assert.DoesNotContain("\"error\"", completion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepeatedBadTokens_AreRateLimited_With429()
    {
        using var factory = TrackerWebFactory.With(bootstrapAdmin: true, new() { ["Auth:TokenFailuresPerMinute"] = "3" });
        using var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "trk_guess");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync("/api/runs");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests,
            HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task RepeatedSignIns_AreRateLimited_With429()
    {
        using var factory = TrackerWebFactory.With(bootstrapAdmin: true, new() { ["Auth:SignInsPerMinute"] = "2" });
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Authorization = null;

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await FormSignIn.SignInAsync(client, "nobody", "wrong password");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Healthz_AnswersStrangers_WithNoData()
    {
        using var factory = new TrackerWebFactory();
        using var client = factory.CreateAnonymousClient();

        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Strangers_AreSentToSignIn_FromPages_AndHear401FromTheApi()
    {
        using var factory = new TrackerWebFactory();
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = null;

        using var page = await client.GetAsync("/runs");
        using var api = await client.GetAsync("/api/runs");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/account/signin", page.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task HeadOfAShareLink_AnswersLikeItsGet()
    {
        using var factory = TrackerWebFactory.With(bootstrapAdmin: true, new() { ["Jobs:Workers"] = "0" });
        using var admin = factory.CreateClient();
        using var submitted = await admin.PostAsync("/api/runs", new StringContent(
            RunConfigJson.Serialize(new RunConfig { Name = "head", Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic }),
            System.Text.Encoding.UTF8, "application/json"));
        var runId = (await submitted.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<long>();
        using var shared = await admin.PostAsJsonAsync("/api/share", new { kind = "run", target = $"{runId}" });
        var token = (await shared.Content.ReadFromJsonAsync<JsonNode>())!["token"]!.GetValue<string>();
        using var stranger = factory.CreateAnonymousClient();

        using var head = await stranger.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/s/{token}"));
        using var headData = await stranger.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/s/{token}/data"));
        using var post = await stranger.PostAsync($"/s/{token}", null);

        // Kestrel drops a HEAD answer's body by itself; the test server does not, so only the status is compared here.
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.OK, headData.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }
}
