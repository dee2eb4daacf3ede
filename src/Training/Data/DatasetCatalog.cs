using Tracker.Shared;

namespace Tracker.Training.Data;

/// <summary>Maps the dataset names of <see cref="KnownDatasets"/> to their readers and default locations.</summary>
public static class DatasetCatalog
{
    /// <summary>
    /// Loads train and test splits. <paramref name="path"/> overrides the default location: a
    /// folder of IDX files (MNIST family), a folder or archive (CIFAR), an .npz file (required for
    /// npz); it is ignored for synthetic data. Missing files raise <see cref="DatasetNotFoundException"/>
    /// naming the path and, where one exists, the Debian package that installs them.
    /// </summary>
    public static DatasetSplits Load(string name, string? path = null) => name switch
    {
        KnownDatasets.FashionMnist => FashionMnist.Load(path),
        KnownDatasets.Mnist => Mnist.Load(path),
        KnownDatasets.Cifar10 => CifarReader.LoadCifar10(path),
        KnownDatasets.Cifar100 => CifarReader.LoadCifar100(path),
        KnownDatasets.Npz => NpzReader.Load(path ?? throw new ArgumentException("The npz dataset has no default location: give the path to its .npz file.", nameof(path))),
        KnownDatasets.Synthetic => SyntheticDataset.Create(),
        _ => throw new ArgumentException($"Unknown dataset '{name}'. Choose one of: {string.Join(", ", KnownDatasets.All)}.", nameof(name)),
    };

    /// <summary>Where a dataset is read from when no path is given; null when it has no default.</summary>
    public static string? DefaultPath(string name) => name switch
    {
        KnownDatasets.FashionMnist => FashionMnist.DefaultPath,
        KnownDatasets.Mnist => Mnist.DefaultPath,
        KnownDatasets.Cifar10 => CifarReader.Cifar10DefaultPath,
        KnownDatasets.Cifar100 => CifarReader.Cifar100DefaultPath,
        _ => null,
    };

    /// <summary>The Debian package that installs a dataset's files, where one exists.</summary>
    public static string? DebianPackage(string name) => name == KnownDatasets.FashionMnist ? FashionMnist.DebianPackage : null;
}
