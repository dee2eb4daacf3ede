using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Tests.Support;

namespace Tracker.Web.Tests.Security;

/// <summary>The session cookie: signing in through the form, what a cross-site request can do with it (nothing), and signing out.</summary>
public sealed class SessionAndCsrfTests : IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private readonly TrackerWebFactory _factory = TrackerWebFactory.With(bootstrapAdmin: true, new() { ["Jobs:Workers"] = "0" });
    private long _runId;

    public async Task InitializeAsync()
    {
        using var admin = _factory.CreateClient();
        using var created = await admin.PostAsJsonAsync("/api/users", new { userName = "mia", password = Password, role = "member" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        _runId = (await _factory.Services.GetRequiredService<RunSubmission>().SubmitAsync(
            new RunConfig { Name = "csrf", Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic }, owner: "mia")).RunId!.Value;
    }

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A browser-like client: keeps cookies, sends no token, follows no redirects.</summary>
    private HttpClient Browser()
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    private async Task<HttpClient> SignedInBrowserAsync()
    {
        var browser = Browser();
        using var signIn = await FormSignIn.SignInAsync(browser, "mia", Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("tracker.session=", StringComparison.Ordinal));
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        return browser;
    }

    private async Task<RunStatus> StatusAsync()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TrackerDbContext>();
        return (await context.Runs.SingleAsync(r => r.Id == _runId)).Status;
    }

    private static HttpRequestMessage FormCancel(long runId, string? origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/runs/{runId}/cancel")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["x"] = "1" }),
        };
        if (origin is not null) request.Headers.Add("Origin", origin);
        return request;
    }

    [Fact]
    public async Task CrossSiteFormCancel_WithTheSessionCookie_Is403_AndTheRunStaysQueued()
    {
        using var browser = await SignedInBrowserAsync();

        using var response = await browser.SendAsync(FormCancel(_runId, "http://evil.example"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(RunStatus.Queued, await StatusAsync());
    }

    [Fact]
    public async Task CrossSiteFormCancel_WithoutACookie_Is401_AndTheRunStaysQueued()
    {
        using var stranger = Browser();

        using var response = await stranger.SendAsync(FormCancel(_runId, "http://evil.example"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(RunStatus.Queued, await StatusAsync());
    }

    [Fact]
    public async Task CookieRequestWithoutAnyOrigin_IsRefused()
    {
        using var browser = await SignedInBrowserAsync();

        using var response = await browser.SendAsync(FormCancel(_runId, origin: null));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(RunStatus.Queued, await StatusAsync());
    }

    [Fact]
    public async Task SameOriginCancel_WithTheSessionCookie_Cancels()
    {
        using var browser = await SignedInBrowserAsync();

        using var response = await browser.SendAsync(FormCancel(_runId, "http://localhost"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RunStatus.Cancelled, await StatusAsync());
    }

    [Fact]
    public async Task SignInFormPost_WithoutItsAntiforgeryToken_IsRefused()
    {
        using var browser = Browser();

        using var response = await browser.PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin", ["Input.UserName"] = "mia", ["Input.Password"] = Password,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("tracker.session=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WrongPassword_SignsNobodyIn_AndIsAudited()
    {
        using var browser = Browser();

        using var response = await FormSignIn.SignInAsync(browser, "mia", "wrong password!");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Wrong user name or password.", await response.Content.ReadAsStringAsync());
        using var page = await browser.GetAsync("/runs");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/signin", page.Headers.Location!.OriginalString.Replace("http://localhost", "", StringComparison.Ordinal));
        await using var scope = _factory.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TrackerDbContext>();
        Assert.True(await context.AuditEntries.AnyAsync(e => e.Action == AuditActions.SignInFailed && e.Target == "user mia"));
    }

    [Fact]
    public async Task SignedInMember_ReadsPages_AndSigningOutEndsTheSession()
    {
        using var browser = await SignedInBrowserAsync();
        using (var runs = await browser.GetAsync("/runs")) Assert.Equal(HttpStatusCode.OK, runs.StatusCode);

        using (var signOut = await FormSignIn.PostFormAsync(browser, "/account/signout", new Dictionary<string, string>()))
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        using var after = await browser.GetAsync("/runs");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task DisabledUser_CannotSignIn()
    {
        using (var admin = _factory.CreateClient())
        {
            var users = (await admin.GetFromJsonAsync<JsonArray>("/api/users"))!;
            var mia = users.Single(u => u!["userName"]!.GetValue<string>() == "mia")!["id"]!.GetValue<long>();
            using var disabled = await admin.PatchAsJsonAsync($"/api/users/{mia}", new { disabled = true });
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        }
        using var browser = Browser();

        using var response = await FormSignIn.SignInAsync(browser, "mia", Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the form again, with its error
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("tracker.session=", StringComparison.Ordinal)));
    }
}
