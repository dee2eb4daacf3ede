namespace Tracker.Shared;

/// <summary>Method labels exactly as the paper's tables write them, so runs line up with reference rows.</summary>
public static class Methods
{
    public const string NoDropout = "no dropout";
    public const string StandardDropout = "standard dropout";
    public const string EarlyDropout = "early dropout";
    public const string LateDropout = "late dropout";
    public const string StandardStochasticDepth = "standard s.d.";
    public const string EarlyStochasticDepth = "early s.d.";
    public const string LateStochasticDepth = "late s.d.";
    public const string RDrop = "R-Drop";
    public const string DropConnect = "DropConnect";
    public const string L1 = "L1";
    public const string L2 = "L2";

    /// <summary>Joins labels when a run combines regularizers, e.g. "early dropout + L2".</summary>
    public const string Separator = " + ";

    public static IReadOnlyList<string> All { get; } =
    [
        NoDropout, StandardDropout, EarlyDropout, LateDropout,
        StandardStochasticDepth, EarlyStochasticDepth, LateStochasticDepth,
        RDrop, DropConnect, L1, L2,
    ];

    /// <summary>
    /// The method a config runs: one label from <see cref="All"/>, or several joined with <see cref="Separator"/>
    /// in a fixed order (dropout, s.d., R-Drop, DropConnect, L1, L2). Weight decay does not count: the
    /// paper's baselines all use it. R-Drop includes its standard dropout, so that is not named twice.
    /// </summary>
    public static string Describe(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var parts = new List<string>();
        var rDrop = config.RDrop is not null;

        if (config.Dropout.Rate > 0 && !(rDrop && config.Dropout.Mode == DropMode.Standard))
            parts.Add(config.Dropout.Mode switch
            {
                DropMode.Early => EarlyDropout,
                DropMode.Late => LateDropout,
                _ => StandardDropout,
            });
        if (config.DropPath.Rate > 0)
            parts.Add(config.DropPath.Mode switch
            {
                DropMode.Early => EarlyStochasticDepth,
                DropMode.Late => LateStochasticDepth,
                _ => StandardStochasticDepth,
            });
        if (rDrop)
            parts.Add(RDrop);
        if (config.DropConnect is { Rate: > 0 })
            parts.Add(DropConnect);
        if (config.L1 > 0)
            parts.Add(L1);
        if (config.L2 > 0)
            parts.Add(L2);

        return parts.Count == 0 ? NoDropout : string.Join(Separator, parts);
    }
}
