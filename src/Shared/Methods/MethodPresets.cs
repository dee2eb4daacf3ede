namespace Tracker.Shared;

/// <summary>
/// Turns a method label into the regularization settings that reproduce it, on top of a base config.
/// Rates come from the paper's recipes (reference-results.json) where it gives one; the 300-epoch
/// cutoff of 50 is scaled to the run's length.
/// </summary>
public static class MethodPresets
{
    /// <summary>Paper recipe: ViT-T early dropout, linear from 0.1 to 0 over the first 50 of 300 epochs.</summary>
    public const double EarlyDropoutRate = 0.1;
    /// <summary>Paper recipe: ViT-T early stochastic depth, linear from 0.5.</summary>
    public const double EarlyStochasticDepthRate = 0.5;
    /// <summary>Paper recipe: ViT-B late stochastic depth, constant 0.4 after epoch 50.</summary>
    public const double LateStochasticDepthRate = 0.4;
    /// <summary>Paper recipe: ViT-T standard dropout.</summary>
    public const double StandardDropoutRate = 0.1;

    // The following have no recipe in the paper; these are conventional values, chosen to be easy to change.
    /// <summary>No recipe: same rate as standard dropout, switched on after the cutoff.</summary>
    public const double LateDropoutRate = 0.1;
    /// <summary>No recipe: DeiT's default drop path for ViT-T, the usual standard s.d. baseline.</summary>
    public const double StandardStochasticDepthRate = 0.1;
    /// <summary>No recipe: R-Drop's KL weight, with standard dropout supplying the randomness.</summary>
    public const double RDropAlpha = 1.0;
    /// <summary>No recipe: Wan et al.'s DropConnect rate.</summary>
    public const double DropConnectRate = 0.5;
    public const double L1Weight = 1e-5;
    public const double L2Weight = 1e-4;

    /// <summary>
    /// The paper's cutoff, 50 of 300 epochs, scaled to <paramref name="epochs"/>: max(1, round(epochs * 50 / 300)),
    /// rounding halves up so 3 epochs give 1, not 0.
    /// </summary>
    public static int ScaledCutoff(int epochs) =>
        Math.Max(1, (int)Math.Round(epochs * 50.0 / 300.0, MidpointRounding.AwayFromZero));

    /// <summary>
    /// Returns <paramref name="baseConfig"/> with every regularizer reset, then the one for <paramref name="label"/>
    /// (a <see cref="Methods"/> constant) applied. Everything else (model, data, optimizer, weight decay) is kept.
    /// </summary>
    /// <exception cref="ArgumentException">The label is not one of <see cref="Methods.All"/>.</exception>
    public static RunConfig Apply(string label, RunConfig baseConfig)
    {
        ArgumentNullException.ThrowIfNull(baseConfig);
        var cutoff = ScaledCutoff(baseConfig.Epochs);
        var clean = baseConfig with
        {
            Dropout = new DropSettings(),
            DropPath = new DropSettings(),
            RDrop = null,
            DropConnect = null,
            L1 = 0,
            L2 = 0,
        };

        return label switch
        {
            Methods.NoDropout => clean,
            Methods.StandardDropout => clean with { Dropout = Standard(StandardDropoutRate) },
            Methods.EarlyDropout => clean with { Dropout = EarlyLinear(EarlyDropoutRate, cutoff) },
            Methods.LateDropout => clean with { Dropout = LateConstant(LateDropoutRate, cutoff) },
            Methods.StandardStochasticDepth => clean with { DropPath = Standard(StandardStochasticDepthRate) },
            Methods.EarlyStochasticDepth => clean with { DropPath = EarlyLinear(EarlyStochasticDepthRate, cutoff) },
            Methods.LateStochasticDepth => clean with { DropPath = LateConstant(LateStochasticDepthRate, cutoff) },
            Methods.RDrop => clean with { Dropout = Standard(StandardDropoutRate), RDrop = new RDropSettings { Alpha = RDropAlpha } },
            Methods.DropConnect => clean with { DropConnect = new DropConnectSettings { Rate = DropConnectRate } },
            Methods.L1 => clean with { L1 = L1Weight },
            Methods.L2 => clean with { L2 = L2Weight },
            _ => throw new ArgumentException(
                $"Unknown method '{label}'. Use one of: {string.Join(", ", Methods.All)}.", nameof(label)),
        };
    }

    private static DropSettings Standard(double rate) => new() { Rate = rate };

    private static DropSettings EarlyLinear(double rate, int cutoff) =>
        new() { Rate = rate, Mode = DropMode.Early, Schedule = DropSchedule.Linear, CutoffEpoch = cutoff };

    private static DropSettings LateConstant(double rate, int cutoff) =>
        new() { Rate = rate, Mode = DropMode.Late, Schedule = DropSchedule.Constant, CutoffEpoch = cutoff };
}
