using System.Net;
using System.Text.RegularExpressions;

namespace Tracker.Web.Tests.Support;

/// <summary>Fills the app's server-rendered forms as a browser does: the hidden fields (antiforgery token, form name) plus the inputs.</summary>
public static partial class FormSignIn
{
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, IReadOnlyDictionary<string, string> inputs)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(inputs);
        var page = await client.GetStringAsync(path);
        var fields = HiddenInput().Matches(page).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        foreach (var (name, value) in inputs) fields[name] = value;
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    /// <summary>Signs <paramref name="client"/> (which keeps cookies) in through /account/signin.</summary>
    public static Task<HttpResponseMessage> SignInAsync(HttpClient client, string userName, string password) =>
        PostFormAsync(client, "/account/signin", new Dictionary<string, string> { ["Input.UserName"] = userName, ["Input.Password"] = password });

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]*)" */?>""")]
    private static partial Regex HiddenInput();
}
