using System.Text.RegularExpressions;

namespace Tracker.Web.Tests.Support;

/// <summary>The few things the tests read out of rendered pages; regexes keep bUnit/AngleSharp out.</summary>
public static partial class Html
{
    public static string? Title(string html) => TitlePattern().Match(html) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>The text of the element carrying data-fact="<paramref name="key"/>".</summary>
    public static string? Fact(string html, string key)
    {
        var match = Regex.Match(html, $"""data-fact="{Regex.Escape(key)}"[^>]*>([^<]*)<""");
        return match.Success ? match.Groups[1].Value.Trim() : null;
    }

    public static IReadOnlyList<string> StylesheetHrefs(string html) =>
        LinkPattern().Matches(html)
            .Select(match => match.Value)
            .Where(tag => tag.Contains("rel=\"stylesheet\"", StringComparison.Ordinal))
            .Select(tag => HrefPattern().Match(tag).Groups[1].Value)
            .ToList();

    /// <summary>The targets of the sidebar's links (MudBlazor renders them with mud-nav-link).</summary>
    public static IReadOnlyList<string> NavigationHrefs(string html) =>
        AnchorPattern().Matches(html)
            .Select(match => match.Value)
            .Where(tag => tag.Contains("mud-nav-link", StringComparison.Ordinal))
            .Select(tag => HrefPattern().Match(tag).Groups[1].Value)
            .ToList();

    public static IReadOnlyList<string> ScriptSources(string html) =>
        ScriptPattern().Matches(html).Select(match => match.Groups[1].Value).ToList();

    /// <summary>The opening tags of the buttons carrying <paramref name="cssClass"/>.</summary>
    public static IReadOnlyList<string> Buttons(string html, string cssClass) =>
        ButtonPattern().Matches(html)
            .Select(match => match.Value)
            .Where(tag => Regex.IsMatch(tag, $"""class="[^"]*\b{Regex.Escape(cssClass)}\b"""))
            .ToList();

    [GeneratedRegex("<title>([^<]*)</title>")]
    private static partial Regex TitlePattern();

    [GeneratedRegex("<link [^>]*>")]
    private static partial Regex LinkPattern();

    [GeneratedRegex("<a [^>]*>")]
    private static partial Regex AnchorPattern();

    [GeneratedRegex("<script [^>]*src=\"([^\"]*)\"")]
    private static partial Regex ScriptPattern();

    [GeneratedRegex("<button [^>]*>")]
    private static partial Regex ButtonPattern();

    [GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial Regex HrefPattern();
}
