using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tracker.Tests.Support;

namespace Tracker.E2E.Support;

/// <summary>
/// Signs browser contexts into a running app: once per app, a user "e2e-admin" is made through the API (with the
/// bootstrap admin token) and signed in through the real sign-in form; its session cookie is then added to every
/// context that asks, so tests start on the page they test instead of on the sign-in form.
/// </summary>
public static partial class BrowserSession
{
    public const string UserName = "e2e-admin";
    public const string Password = "e2e-admin-password";
    public const string CookieName = "tracker.session";

    private static readonly ConcurrentDictionary<Uri, Lazy<Task<string>>> Sessions = new();

    /// <summary>Adds the admin's session cookie to the page's context unless it has one.</summary>
    public static async Task SignInAsync(IPage page, Uri app)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(app);
        if ((await page.Context.CookiesAsync([app.ToString()])).Any(c => c.Name == CookieName)) return;
        var value = await Sessions.GetOrAdd(app, key => new Lazy<Task<string>>(() => SignInWithFormAsync(key))).Value;
        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = CookieName, Value = value, Url = app.GetLeftPart(UriPartial.Authority) }]);
    }

    /// <summary>Makes <paramref name="userName"/> (admins: via the API) and returns the session cookie the sign-in form gives them.</summary>
    public static async Task<string> SignInWithFormAsync(Uri app, string userName = UserName, string password = Password, string role = "admin")
    {
        using (var api = TestAuth.Authorize(new HttpClient { BaseAddress = app }))
        {
            using var created = await api.PostAsJsonAsync("/api/users", new { userName, password, role });
            if (created.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.BadRequest)) // 400: made by an earlier call
                throw new InvalidOperationException($"Could not make {userName}: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        }
        return await PostSignInFormAsync(app, userName, password);
    }

    /// <summary>Fills the sign-in form as a browser would (its antiforgery field and cookie included); the session cookie's value.</summary>
    public static async Task<string> PostSignInFormAsync(Uri app, string userName, string password)
    {
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = app };
        var form = await client.GetStringAsync("/account/signin");
        var fields = HiddenInput().Matches(form).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        fields["Input.UserName"] = userName;
        fields["Input.Password"] = password;
        using var response = await client.PostAsync("/account/signin", new FormUrlEncodedContent(fields));
        return cookies.GetCookies(app).FirstOrDefault(c => c.Name == CookieName)?.Value
            ?? throw new InvalidOperationException($"Signing in as {userName} gave no session: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)" */?>""")]
    private static partial Regex HiddenInput();
}
