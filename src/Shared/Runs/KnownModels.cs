namespace Tracker.Shared;

/// <summary>The model names the engine builds; the single list forms, validation and the trainer share.</summary>
public static class KnownModels
{
    public const string Mlp = "mlp";
    public const string ConvNet = "convnet";
    public const string VitNano = "vit-nano";
    public const string VitTiny = "vit-tiny";
    public const string Mixer = "mixer";
    public const string ConvNext = "convnext";

    public static IReadOnlyList<string> All { get; } = [Mlp, ConvNet, VitNano, VitTiny, Mixer, ConvNext];

    public static bool IsKnown(string? name) => name is not null && All.Contains(name, StringComparer.Ordinal);

    /// <summary>Stochastic depth drops whole residual branches, so only models built of residual blocks have it.</summary>
    public static bool HasResidualBlocks(string? name) => name is VitNano or VitTiny or Mixer or ConvNext;

    /// <summary>
    /// Models that leave a GPU mostly idle on their own, so several runs share one by default: four ViT-nano runs on
    /// one H200 trained 1.5x the epochs per second of one alone (decision 0052). ConvNeXt fills a GPU by itself.
    /// </summary>
    public static bool IsSmall(string? name) => name is Mlp or ConvNet or VitNano or VitTiny or Mixer;
}
