namespace Tracker.Shared;

/// <summary>The dataset names the engine reads; the single list forms, validation and the trainer share.</summary>
public static class KnownDatasets
{
    public const string FashionMnist = "fashion-mnist";
    public const string Mnist = "mnist";
    public const string Cifar10 = "cifar10";
    public const string Cifar100 = "cifar100";
    /// <summary>Arrays from an .npz file; has no default location, so it needs a datasetPath.</summary>
    public const string Npz = "npz";
    /// <summary>Generated from the seed; for tests and smoke runs.</summary>
    public const string Synthetic = "synthetic";

    public static IReadOnlyList<string> All { get; } = [FashionMnist, Mnist, Cifar10, Cifar100, Npz, Synthetic];

    public static bool IsKnown(string? name) => name is not null && All.Contains(name, StringComparer.Ordinal);

    public static bool RequiresPath(string? name) => name is Npz;

    /// <summary>
    /// How many training examples a dataset has, for checks at submit time (a batch larger than the set); null when it
    /// depends on the file (npz). The synthetic set's size is the engine's default.
    /// </summary>
    public static int? TrainingSetSize(string? name) => name switch
    {
        FashionMnist or Mnist => 60_000,
        Cifar10 or Cifar100 => 50_000,
        Synthetic => 2_048,
        _ => null,
    };
}
