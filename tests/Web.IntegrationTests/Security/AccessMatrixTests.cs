using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Api;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Security;

namespace Tracker.Web.IntegrationTests.Security;

/// <summary>
/// Who may do what, asked of the real app on both databases: every caller (anonymous, a viewer, the run's member owner,
/// another member, the admin, and tokens of each scope, expired and revoked) against every kind of endpoint.
/// </summary>
public sealed class AccessMatrixTests
{
    private const string Anonymous = "anonymous";
    private const string Viewer = "viewer";
    private const string Owner = "owner (member)";
    private const string OtherMember = "other member";
    private const string Admin = "admin";
    private const string ReadToken = "owner's read token";
    private const string WorkerToken = "owner's worker token";
    private const string ExpiredToken = "owner's expired token";
    private const string RevokedToken = "owner's revoked token";

    private static readonly string[] Callers = [Anonymous, Viewer, Owner, OtherMember, Admin, ReadToken, WorkerToken, ExpiredToken, RevokedToken];

    /// <summary>The app with users vera (viewer), mia and max (members) and their tokens.</summary>
    private sealed class Team : IAsyncDisposable
    {
        public required ApiHost Host { get; init; }
        public required Dictionary<string, string?> Tokens { get; init; }

        public static async Task<Team> StartAsync(DatabaseProvider provider)
        {
            var database = await TestDatabase.CreateAsync(provider);
            var settings = database.AppSettings;
            settings["Jobs:Workers"] = "0";
            settings["Auth:TokenFailuresPerMinute"] = "10000"; // the matrix sends many bad tokens on purpose
            var host = await ApiHost.StartAsync(database, settings);
            var tokens = host.App.Services.GetRequiredService<ApiTokens>();
            async Task<long> UserAsync(string name, string role)
            {
                using var response = await host.Client.PostAsJsonAsync("/api/users", new { userName = name, password = "a long enough password", role });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                return (await response.Content.ReadFromJsonAsync<JsonNode>())!["user"]!["id"]!.GetValue<long>();
            }
            var vera = await UserAsync("vera", Roles.Viewer);
            var mia = await UserAsync("mia", Roles.Member);
            var max = await UserAsync("max", Roles.Member);
            var expired = await tokens.CreateAsync(mia, "expired", TokenScope.Write, expiresInDays: 1);
            await using (var context = host.Database.CreateDbContext())
                await context.ApiTokens.Where(t => t.Id == expired.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
            var revoked = await tokens.CreateAsync(mia, "revoked", TokenScope.Write, expiresInDays: null);
            await tokens.RevokeAsync(revoked.Id);
            return new Team
            {
                Host = host,
                Tokens = new()
                {
                    [Anonymous] = null,
                    [Viewer] = (await tokens.CreateAsync(vera, "v", TokenScope.Write, null)).Token, // a write token never lifts a viewer
                    [Owner] = (await tokens.CreateAsync(mia, "m", TokenScope.Write, null)).Token,
                    [OtherMember] = (await tokens.CreateAsync(max, "x", TokenScope.Write, null)).Token,
                    [Admin] = TestAuth.AdminToken,
                    [ReadToken] = (await tokens.CreateAsync(mia, "r", TokenScope.Read, null)).Token,
                    [WorkerToken] = (await tokens.CreateAsync(mia, "w", TokenScope.Worker, null)).Token,
                    [ExpiredToken] = expired.Token,
                    [RevokedToken] = revoked.Token,
                },
            };
        }

        public async Task<HttpStatusCode> SendAsync(string caller, HttpMethod method, string url, string? json = null)
        {
            using var client = Host.App.CreateAnonymousClient();
            using var request = new HttpRequestMessage(method, url);
            if (Tokens[caller] is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        public async Task<long> MiasRunAsync()
        {
            var result = await Host.Submission.SubmitAsync(ApiHost.Config("mias-run"), owner: "mia");
            return result.RunId!.Value;
        }

        /// <summary>A run of mia's that has ended (cancelled while queued), so it may be deleted.</summary>
        public async Task<long> MiasFinishedRunAsync()
        {
            var runId = await MiasRunAsync();
            Assert.Equal(Web.Jobs.CancelResult.Cancelled, await Host.Leases.CancelAsync(runId));
            return runId;
        }

        /// <summary>A finished run of mia's in the trash.</summary>
        public async Task<long> MiasTrashedRunAsync()
        {
            var runId = await MiasFinishedRunAsync();
            await using var context = Host.Database.CreateDbContext();
            await context.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.DeletedAt, DateTime.UtcNow));
            return runId;
        }

        public async Task<long> MiasShareLinkAsync(long runId)
        {
            var links = Host.App.Services.GetRequiredService<Web.Features.Sharing.ShareLinks>();
            return (await links.CreateAsync(ShareTargetKind.Run, $"{runId}", null, default, createdBy: "mia")).Link!.Id;
        }

        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }

    private sealed record Case(string What, Func<Team, string, Task<HttpStatusCode>> Send, Dictionary<string, HttpStatusCode> Expected);

    private static Dictionary<string, HttpStatusCode> Expect(HttpStatusCode anonymous, HttpStatusCode viewer, HttpStatusCode owner, HttpStatusCode other,
        HttpStatusCode admin, HttpStatusCode read, HttpStatusCode worker) => new()
    {
        [Anonymous] = anonymous, [Viewer] = viewer, [Owner] = owner, [OtherMember] = other, [Admin] = admin, [ReadToken] = read,
        [WorkerToken] = worker, [ExpiredToken] = HttpStatusCode.Unauthorized, [RevokedToken] = HttpStatusCode.Unauthorized,
    };

    private const HttpStatusCode Ok = HttpStatusCode.OK;
    private const HttpStatusCode Created = HttpStatusCode.Created;
    private const HttpStatusCode NoContent = HttpStatusCode.NoContent;
    private const HttpStatusCode Unauthorized = HttpStatusCode.Unauthorized;
    private const HttpStatusCode Forbidden = HttpStatusCode.Forbidden;
    private const HttpStatusCode NotFound = HttpStatusCode.NotFound;

    private static readonly string SubmitBody = RunConfigJson.Serialize(ApiHost.Config("matrix"));

    private static readonly Case[] Cases =
    [
        new("GET /api/runs", (t, c) => t.SendAsync(c, HttpMethod.Get, "/api/runs"),
            Expect(Unauthorized, Ok, Ok, Ok, Ok, Ok, Forbidden)),
        new("GET /api/runs/{id}", async (t, c) => await t.SendAsync(c, HttpMethod.Get, $"/api/runs/{await t.MiasRunAsync()}"),
            Expect(Unauthorized, Ok, Ok, Ok, Ok, Ok, Forbidden)),
        new("POST /api/runs", (t, c) => t.SendAsync(c, HttpMethod.Post, "/api/runs", SubmitBody),
            Expect(Unauthorized, Forbidden, Created, Created, Created, Forbidden, Forbidden)),
        new("POST /api/runs/{id}/cancel of mia's run", async (t, c) => await t.SendAsync(c, HttpMethod.Post, $"/api/runs/{await t.MiasRunAsync()}/cancel"),
            Expect(Unauthorized, Forbidden, Ok, Forbidden, Ok, Forbidden, Forbidden)),
        new("DELETE /api/runs/{id} of mia's finished run", async (t, c) => await t.SendAsync(c, HttpMethod.Delete, $"/api/runs/{await t.MiasFinishedRunAsync()}"),
            Expect(Unauthorized, Forbidden, NoContent, Forbidden, NoContent, Forbidden, Forbidden)),
        new("PATCH /api/runs/{id} of mia's run", async (t, c) => await t.SendAsync(c, HttpMethod.Patch, $"/api/runs/{await t.MiasRunAsync()}", """{"name":"renamed","archived":true}"""),
            Expect(Unauthorized, Forbidden, Ok, Forbidden, Ok, Forbidden, Forbidden)),
        new("POST /api/runs/{id}/restore of mia's trashed run", async (t, c) => await t.SendAsync(c, HttpMethod.Post, $"/api/runs/{await t.MiasTrashedRunAsync()}/restore"),
            Expect(Unauthorized, Forbidden, Ok, Forbidden, Ok, Forbidden, Forbidden)),
        new("GET /api/trash", (t, c) => t.SendAsync(c, HttpMethod.Get, "/api/trash"),
            Expect(Unauthorized, Ok, Ok, Ok, Ok, Ok, Forbidden)),
        new("DELETE /api/trash", async (t, c) => { await t.MiasTrashedRunAsync(); return await t.SendAsync(c, HttpMethod.Delete, "/api/trash"); },
            Expect(Unauthorized, Forbidden, Forbidden, Forbidden, Ok, Forbidden, Forbidden)),
        new("POST /api/share of mia's run", async (t, c) => await t.SendAsync(c, HttpMethod.Post, "/api/share",
                $$"""{"kind":"run","target":"{{await t.MiasRunAsync()}}"}"""),
            Expect(Unauthorized, Forbidden, Created, Created, Created, Forbidden, Forbidden)),
        new("DELETE /api/share/{id} of mia's link", async (t, c) => await t.SendAsync(c, HttpMethod.Delete, $"/api/share/{await t.MiasShareLinkAsync(await t.MiasRunAsync())}"),
            Expect(Unauthorized, Forbidden, NoContent, NotFound, NoContent, Forbidden, Forbidden)),
        new("POST /api/views", (t, c) => t.SendAsync(c, HttpMethod.Post, "/api/views", $$"""{"name":"v-{{c}}","query":"q=x"}"""),
            Expect(Unauthorized, Forbidden, Ok, Ok, Ok, Forbidden, Forbidden)),
        new("GET /api/users", (t, c) => t.SendAsync(c, HttpMethod.Get, "/api/users"),
            Expect(Unauthorized, Forbidden, Forbidden, Forbidden, Ok, Forbidden, Forbidden)),
        new("POST /api/users", (t, c) => t.SendAsync(c, HttpMethod.Post, "/api/users",
                $$"""{"userName":"new-{{Guid.NewGuid():N}}","password":"a long enough password","role":"viewer"}"""),
            Expect(Unauthorized, Forbidden, Forbidden, Forbidden, Created, Forbidden, Forbidden)),
        new("GET /api/audit", (t, c) => t.SendAsync(c, HttpMethod.Get, "/api/audit"),
            Expect(Unauthorized, Forbidden, Forbidden, Forbidden, Ok, Forbidden, Forbidden)),
        new("GET /api/tokens", (t, c) => t.SendAsync(c, HttpMethod.Get, "/api/tokens"),
            Expect(Unauthorized, Ok, Ok, Ok, Ok, Forbidden, Forbidden)),
        new("POST /hubs/runs/negotiate", (t, c) => t.SendAsync(c, HttpMethod.Post, "/hubs/runs/negotiate?negotiateVersion=1"),
            Expect(Unauthorized, Ok, Ok, Ok, Ok, Ok, Forbidden)),
        new("GET /openapi/v1.json", (t, c) => t.SendAsync(c, HttpMethod.Get, "/openapi/v1.json"),
            Expect(Unauthorized, Ok, Ok, Ok, Ok, Ok, Forbidden)),
        new("GET /healthz", (t, c) => t.SendAsync(c, HttpMethod.Get, "/healthz"),
            Expect(Ok, Ok, Ok, Ok, Ok, Ok, Ok) is var open ? new(open) { [ExpiredToken] = Ok, [RevokedToken] = Ok } : null!),
    ];

    [Theory, SqliteData, PostgresData]
    public async Task EveryCaller_GetsTheExpectedStatus_FromEveryKindOfEndpoint(DatabaseProvider provider)
    {
        await using var team = await Team.StartAsync(provider);
        var mismatches = new List<string>();
        foreach (var @case in Cases)
            foreach (var caller in Callers)
            {
                var status = await @case.Send(team, caller);
                if (status != @case.Expected[caller]) mismatches.Add($"{@case.What} as {caller}: {(int)status}, expected {(int)@case.Expected[caller]}");
            }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Theory, SqliteData, PostgresData]
    public async Task RefusedCancel_ChangesNothing_AndTheOwnersCancelIsAudited(DatabaseProvider provider)
    {
        await using var team = await Team.StartAsync(provider);
        var runId = await team.MiasRunAsync();

        Assert.Equal(Forbidden, await team.SendAsync(OtherMember, HttpMethod.Post, $"/api/runs/{runId}/cancel"));
        await using (var context = team.Host.Database.CreateDbContext())
            Assert.Equal(RunStatus.Queued, (await context.Runs.SingleAsync(r => r.Id == runId)).Status);

        Assert.Equal(Ok, await team.SendAsync(Owner, HttpMethod.Post, $"/api/runs/{runId}/cancel"));
        await using (var context = team.Host.Database.CreateDbContext())
        {
            Assert.Equal(RunStatus.Cancelled, (await context.Runs.SingleAsync(r => r.Id == runId)).Status);
            var entry = await context.AuditEntries.SingleAsync(e => e.Action == AuditActions.Cancel);
            Assert.Equal(("mia", $"run {runId}"), (entry.Actor, entry.Target));
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task SubmittedRun_RecordsItsOwner_AndTheOwnerFilterFindsIt(DatabaseProvider provider)
    {
        await using var team = await Team.StartAsync(provider);
        Assert.Equal(Created, await team.SendAsync(Owner, HttpMethod.Post, "/api/runs", SubmitBody));
        Assert.Equal(Created, await team.SendAsync(OtherMember, HttpMethod.Post, "/api/runs", SubmitBody));

        var page = await team.Host.GetJsonAsync("/api/runs?q=" + Uri.EscapeDataString("owner = mia"));
        var items = page["items"]!.AsArray();
        Assert.Single(items);
        Assert.Equal("mia", items[0]!["owner"]!.GetValue<string>());
        await using var context = team.Host.Database.CreateDbContext();
        Assert.Equal(2, await context.AuditEntries.CountAsync(e => e.Action == AuditActions.Submit));
    }

    [Theory, SqliteData]
    public async Task BlindRevokeOfEveryShareLink_RevokesNoneOfSomeoneElses(DatabaseProvider provider)
    {
        await using var team = await Team.StartAsync(provider);
        var runId = await team.MiasRunAsync();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++) ids.Add(await team.MiasShareLinkAsync(runId));

        for (var id = 1; id <= 30; id++)
            Assert.NotEqual(NoContent, await team.SendAsync(OtherMember, HttpMethod.Delete, $"/api/share/{id}"));

        await using var context = team.Host.Database.CreateDbContext();
        Assert.Equal(5, await context.ShareLinks.CountAsync(l => ids.Contains(l.Id) && l.RevokedAt == null));
    }

    [Theory, SqliteData]
    public async Task RevokedAndExpiredTokens_AreRefused_AndUsedOnesRecordWhen(DatabaseProvider provider)
    {
        await using var team = await Team.StartAsync(provider);
        Assert.Equal(Ok, await team.SendAsync(Owner, HttpMethod.Get, "/api/runs"));
        await using var context = team.Host.Database.CreateDbContext();
        var used = await context.ApiTokens.SingleAsync(t => t.Name == "m");
        Assert.NotNull(used.LastUsedAt);
        Assert.Null((await context.ApiTokens.SingleAsync(t => t.Name == "x")).LastUsedAt);
        Assert.All(await context.ApiTokens.Select(t => t.TokenHash).ToListAsync(), hash => Assert.Equal(64, hash.Length));
        Assert.DoesNotContain(await context.ApiTokens.Select(t => t.TokenHash).ToListAsync(), hash => hash == TestAuth.AdminToken);
    }
}
