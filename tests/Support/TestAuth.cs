using System.Net.Http.Headers;

namespace Tracker.Tests.Support;

/// <summary>
/// How the tests' apps are signed into: each starts with <c>Auth:BootstrapAdminToken</c> set to <see cref="AdminToken"/>,
/// so the app makes the admin user "admin" holding it, and the clients the test support hands out send it.
/// </summary>
public static class TestAuth
{
    public const string AdminToken = "trk_test-admin-token-0123456789abcdefghijklmnop";
    public const string SettingKey = "Auth:BootstrapAdminToken";
    public const string EnvironmentVariable = "Auth__BootstrapAdminToken";

    public static HttpClient Authorize(HttpClient client, string token = AdminToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
