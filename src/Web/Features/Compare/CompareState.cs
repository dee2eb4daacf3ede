using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;

namespace Tracker.Web.Features.Compare;

/// <summary>What a comparison plots against.</summary>
public enum CompareXAxis
{
    Epoch,
    Step,
    /// <summary>Seconds since the run started.</summary>
    Time,
}

/// <summary>
/// Everything a comparison view shows, as it travels in the URL (<c>/compare?runs=1,2&amp;metrics=val/acc&amp;smooth=0.6&amp;x=step&amp;group=method&amp;hide=1&amp;baseline=no%20dropout</c>),
/// so a copied URL reproduces the view. <see cref="ToQuery"/> writes the canonical form: defaults are left out, so a
/// share link's target and the page URL agree.
/// </summary>
public sealed record CompareState
{
    public const string RunsKey = "runs";
    public const string MetricsKey = "metrics";
    public const string SmoothKey = "smooth";
    public const string XKey = "x";
    public const string GroupKey = "group";
    public const string HideKey = "hide";
    public const string BaselineKey = "baseline";

    /// <summary>The highest smoothing weight: at 1 the average would never move.</summary>
    public const double MaxSmoothing = 0.99;

    /// <summary>Metrics shown when the URL names none.</summary>
    public static IReadOnlyList<string> DefaultMetrics { get; } = [Shared.MetricKeys.ValAcc, Shared.MetricKeys.TrainLoss];

    /// <summary>Run ids in the order given, without repeats.</summary>
    public IReadOnlyList<long> Runs { get; init; } = [];
    /// <summary>Metric keys in the order given; empty means <see cref="DefaultMetrics"/>.</summary>
    public IReadOnlyList<string> Metrics { get; init; } = [];
    /// <summary>Exponential moving average weight, 0 (raw) to <see cref="MaxSmoothing"/>.</summary>
    public double Smoothing { get; init; }
    public CompareXAxis XAxis { get; init; } = CompareXAxis.Epoch;
    /// <summary>A config field path (<c>method</c>, <c>dropout.rate</c>, <c>seed</c>) whose value groups runs; null = one series per run.</summary>
    public string? GroupBy { get; init; }
    /// <summary>Hide config rows whose value is the same in every run.</summary>
    public bool HideIdentical { get; init; }
    /// <summary>
    /// The row every other row is compared with: a run id without grouping, a group's value with it (<c>baseline=0.1</c>
    /// for <c>dropout.rate=0.1</c>); null = the first row.
    /// </summary>
    public string? Baseline { get; init; }

    /// <summary>What in the URL could not be used, one sentence each; never part of <see cref="ToQuery"/>.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>The metrics the view shows: <see cref="Metrics"/>, or the defaults when none are named.</summary>
    public IReadOnlyList<string> ShownMetrics => Metrics.Count > 0 ? Metrics : DefaultMetrics;

    /// <summary>Reads the state from the query values; anything unusable becomes a sentence in <see cref="Problems"/> and its default.</summary>
    public static CompareState Parse(string? runs, string? metrics, string? smooth, string? x, string? group, string? hide, string? baseline = null)
    {
        var problems = new List<string>();
        var ids = new List<long>();
        var notIds = new List<string>();
        foreach (var part in SplitList(runs))
        {
            if (long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                if (!ids.Contains(id)) ids.Add(id);
            }
            else notIds.Add(part);
        }
        if (notIds.Count > 0) problems.Add($"Not run ids: {string.Join(", ", notIds)}.");

        var smoothing = 0.0;
        if (!string.IsNullOrWhiteSpace(smooth))
        {
            if (double.TryParse(smooth, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and <= MaxSmoothing)
                smoothing = parsed;
            else problems.Add($"Smoothing must be a number from 0 to {MaxSmoothing.ToString(CultureInfo.InvariantCulture)}; '{smooth}' was ignored.");
        }

        var axis = CompareXAxis.Epoch;
        if (!string.IsNullOrWhiteSpace(x) && (!Enum.TryParse(x, ignoreCase: true, out axis) || !Enum.IsDefined(axis) || int.TryParse(x, out _)))
        {
            problems.Add($"The x axis must be epoch, step or time; '{x}' was ignored.");
            axis = CompareXAxis.Epoch;
        }

        var hideIdentical = false;
        if (!string.IsNullOrWhiteSpace(hide))
        {
            if (hide is "1" or "true") hideIdentical = true;
            else if (hide is not ("0" or "false")) problems.Add($"hide must be 1 or 0; '{hide}' was ignored.");
        }

        return new CompareState
        {
            Runs = ids,
            Metrics = SplitList(metrics).Distinct(StringComparer.Ordinal).ToList(),
            Smoothing = smoothing,
            XAxis = axis,
            GroupBy = string.IsNullOrWhiteSpace(group) ? null : group.Trim(),
            HideIdentical = hideIdentical,
            Baseline = string.IsNullOrWhiteSpace(baseline) ? null : baseline.Trim(),
            Problems = problems,
        };
    }

    /// <summary>Reads the state from a query string, with or without its leading '?'; a repeated key's values are joined with ','.</summary>
    public static CompareState FromQuery(string? query)
    {
        var values = QueryHelpers.ParseQuery(query);
        string? Get(string key) => values.TryGetValue(key, out var value) ? value.ToString() : null;
        return Parse(Get(RunsKey), Get(MetricsKey), Get(SmoothKey), Get(XKey), Get(GroupKey), Get(HideKey), Get(BaselineKey));
    }

    /// <summary>The canonical query string, without '?': fixed key order, defaults left out, '/' and ',' kept readable.</summary>
    public string ToQuery()
    {
        var parts = new List<string>();
        if (Runs.Count > 0) parts.Add($"{RunsKey}={string.Join(',', Runs.Select(id => id.ToString(CultureInfo.InvariantCulture)))}");
        if (Metrics.Count > 0) parts.Add($"{MetricsKey}={string.Join(',', Metrics.Select(Escape))}");
        if (Smoothing > 0) parts.Add($"{SmoothKey}={Smoothing.ToString("0.###", CultureInfo.InvariantCulture)}");
        if (XAxis != CompareXAxis.Epoch) parts.Add($"{XKey}={XAxis.ToString().ToLowerInvariant()}");
        if (GroupBy is not null) parts.Add($"{GroupKey}={Escape(GroupBy)}");
        if (HideIdentical) parts.Add($"{HideKey}=1");
        if (Baseline is not null) parts.Add($"{BaselineKey}={Escape(Baseline)}");
        return string.Join('&', parts);
    }

    /// <summary>The page URL of this state, e.g. <c>/compare?runs=1,2</c>.</summary>
    public string ToUrl() => AppUrls.CompareWithQuery(ToQuery());

    /// <summary>Same view: equal in everything <see cref="ToQuery"/> writes.</summary>
    public bool SameViewAs(CompareState other) => ToQuery() == other.ToQuery();

    private static IEnumerable<string> SplitList(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // A list item must not carry its own ',' or '&'; '/' and '.' stay as written so metric keys read as such.
    private static string Escape(string value) => Uri.EscapeDataString(value).Replace("%2F", "/", StringComparison.Ordinal);
}
