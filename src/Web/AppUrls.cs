namespace Tracker.Web;

/// <summary>
/// Every URL the app hands out for its own pages (and the few files its pages link to), built here only, so a
/// route changes in one place and its page's <c>@page</c>. <c>Routes</c> is taken by the router component.
/// </summary>
public static class AppUrls
{
    public const string Home = "/";
    public const string Runs = "/runs";
    public const string NewRun = "/runs/new";
    public const string Queue = "/queue";
    public const string Workers = "/workers";
    public const string Compare = "/compare";
    public const string Paper = "/paper";
    public const string Error = "/Error";
    public const string NotFound = "/not-found";
    public const string SignIn = "/account/signin";
    public const string SignOut = "/account/signout";
    public const string ChangePassword = "/account/password";
    public const string SetPassword = "/account/set-password";
    public const string AccessDenied = "/account/denied";
    public const string Tokens = "/account/tokens";
    public const string Setup = "/setup";
    public const string AdminUsers = "/admin/users";
    public const string AdminAudit = "/admin/audit";

    /// <summary>The one-time link that lets a new user choose a password.</summary>
    public static string SetPasswordLink(long userId, string token) =>
        $"{SetPassword}?user={userId}&token={Uri.EscapeDataString(token)}";

    /// <summary>/runs with a filter query string (without its '?'); plain /runs when it is empty.</summary>
    public static string RunsWithQuery(string query) => query.Length == 0 ? Runs : $"{Runs}?{query}";

    public static string Run(long runId) => $"/runs/{runId}";

    /// <summary>A finished run's final checkpoint file, through the API.</summary>
    public static string RunCheckpoint(long runId) => $"/api/runs/{runId}/checkpoint";

    /// <summary>Every metric point of a run as a CSV file, through the API.</summary>
    public static string RunMetricsCsv(long runId) => $"/api/runs/{runId}/metrics?format=csv";

    /// <summary>Every metric point of a run as a JSON file, through the API.</summary>
    public static string RunMetricsJson(long runId) => $"/api/runs/{runId}/metrics.json";

    /// <summary>The runs in the trash: restore them, or (admins) empty it.</summary>
    public const string Trash = "/trash";

    /// <summary>The new-run form filled in from an existing run.</summary>
    public static string CloneRun(long runId) => $"{NewRun}?from={runId}";

    public static string Sweep(string sweepId) => $"/sweeps/{Uri.EscapeDataString(sweepId)}";

    public const string Analysis = "/analysis";

    /// <summary>The parameter views over the runs of a /runs filter query (the filter language), or all runs.</summary>
    public static string AnalysisOfQuery(string? query) => string.IsNullOrWhiteSpace(query) ? Analysis : $"{Analysis}?q={Uri.EscapeDataString(query)}";

    /// <summary>A project's webhooks: list, add, delete.</summary>
    public static string ProjectWebhooks(string project) => $"/projects/{Uri.EscapeDataString(project)}/webhooks";

    /// <summary>The parameter views over one sweep's runs.</summary>
    public static string AnalysisOfSweep(string sweepId) => $"{Analysis}?sweep={Uri.EscapeDataString(sweepId)}";

    /// <summary>/compare with a compare query string (without its '?'); plain /compare when it is empty.</summary>
    public static string CompareWithQuery(string query) => query.Length == 0 ? Compare : $"{Compare}?{query}";

    public static string CompareRuns(IEnumerable<long> runIds) => $"{Compare}?runs=" + string.Join(',', runIds);

    /// <summary>The CSV of a comparison through the API.</summary>
    public static string CompareCsv(string query) => $"/api/compare.csv?{query}";

    public static string PaperTable(string tableId) => $"{Paper}?table={tableId}";

    /// <summary>A share link's page (relative; the share dialog and the API make it absolute).</summary>
    public static string Share(string token) => $"/s/{token}";

    /// <summary>The CSV of a shared comparison, readable without an account.</summary>
    public static string ShareCsv(string token) => $"{Share(token)}/data.csv";
}
