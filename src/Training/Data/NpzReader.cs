using System.IO.Compression;

namespace Tracker.Training.Data;

/// <summary>
/// Reads an image dataset from an .npz archive (numpy's zip of .npy arrays, compressed or not):
/// uint8 images and integer labels under conventional keys. Without test arrays, a fixed
/// stratified tenth of the training data is held out for evaluation, the same for every run.
/// </summary>
public static class NpzReader
{
    public const double HoldoutFraction = 0.1;
    /// <summary>Fixed, not the run's seed: runs that differ only in seed are evaluated on the same holdout.</summary>
    public const int HoldoutSeed = 0;

    /// <summary>(images, labels) key pairs tried in order, compared without case.</summary>
    public static IReadOnlyList<(string Images, string Labels)> TrainKeys { get; } =
    [
        ("x_train", "y_train"), ("train_x", "train_y"), ("train_data", "train_labels"), ("train_images", "train_labels"),
        ("data", "labels"), ("images", "labels"), ("x", "y"),
    ];

    public static IReadOnlyList<(string Images, string Labels)> TestKeys { get; } =
    [
        ("x_test", "y_test"), ("test_x", "test_y"), ("test_data", "test_labels"), ("test_images", "test_labels"),
        ("x_val", "y_val"), ("val_data", "val_labels"), ("val_images", "val_labels"),
    ];

    public static DatasetSplits Load(string path, string? name = null)
    {
        if (!File.Exists(path))
            throw new DatasetNotFoundException(
                $"npz dataset not found: {path} does not exist. The npz dataset has no default location: set datasetPath to an .npz file "
                + "holding uint8 images and integer labels (keys x_train/y_train, optionally x_test/y_test).",
                path);
        name ??= Path.GetFileNameWithoutExtension(path);

        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path} is not an .npz (zip) archive: {e.Message}", e);
        }
        using (archive)
        {
            var entries = archive.Entries
                .Where(e => e.FullName.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(e => e.FullName[..^4], StringComparer.OrdinalIgnoreCase);
            var trainKeys = FindPair(entries, TrainKeys) ?? throw new InvalidDataException(
                $"{path} has no training arrays: found keys [{string.Join(", ", entries.Keys)}], expected one of "
                + string.Join(", ", TrainKeys.Select(k => $"{k.Images}/{k.Labels}")) + ".");
            var testKeys = FindPair(entries, TestKeys);

            var train = ReadSplit(path, entries, trainKeys, $"{name} train");
            var test = testKeys is null ? null : ReadSplit(path, entries, testKeys.Value, $"{name} test");
            if (test is not null && test.Images.Shape != train.Images.Shape)
                throw new InvalidDataException($"{path}: the test images ({testKeys!.Value.Images}) {test.Images.Shape} do not match the training images ({trainKeys.Images}) {train.Images.Shape}.");

            var classCount = LabelBase.ToZeroBased(test is null ? [train.Labels] : [train.Labels, test.Labels]);
            var trainSet = train.Build(classCount);
            if (test is not null)
                return new DatasetSplits(trainSet, test.Build(classCount), ChannelNormalization.Compute(trainSet));

            if (trainSet.Count < 2) throw new InvalidDataException($"{path} has no test arrays and too few training examples ({trainSet.Count}) to hold some out.");
            var holdoutCount = Math.Clamp((int)Math.Round(trainSet.Count * HoldoutFraction), 1, trainSet.Count - 1);
            var (rest, holdout) = trainSet.Split(holdoutCount, HoldoutSeed);
            return new DatasetSplits(rest, holdout, ChannelNormalization.Compute(rest)) { TestIsHoldout = true };
        }
    }

    private static (string Images, string Labels)? FindPair(Dictionary<string, ZipArchiveEntry> entries, IReadOnlyList<(string Images, string Labels)> candidates)
    {
        foreach (var pair in candidates)
            if (entries.ContainsKey(pair.Images) && entries.ContainsKey(pair.Labels)) return pair;
        return null;
    }

    private static Split ReadSplit(string path, Dictionary<string, ZipArchiveEntry> entries, (string Images, string Labels) keys, string name)
    {
        var imagesSource = $"{path}:{keys.Images}";
        var labelsSource = $"{path}:{keys.Labels}";
        ImageDataset.Builder images;
        using (var stream = entries[keys.Images].Open())
            images = NpyReader.ReadImages(stream, NpyReader.ReadHeader(stream, imagesSource), imagesSource, name);
        long[] labels;
        using (var stream = entries[keys.Labels].Open())
            labels = NpyReader.ReadLabels(stream, NpyReader.ReadHeader(stream, labelsSource), labelsSource);
        if (labels.Length != images.Count)
            throw new InvalidDataException($"{imagesSource} holds {images.Count} images but {labelsSource} holds {labels.Length} labels.");
        return new Split(images, labels);
    }

    /// <summary>Images and labels read but not yet combined: labels may still be shifted to start at 0.</summary>
    private sealed record Split(ImageDataset.Builder Images, long[] Labels)
    {
        public ImageDataset Build(int classCount)
        {
            Labels.CopyTo(Images.LabelBuffer);
            return Images.Build(classCount);
        }
    }
}

/// <summary>Label conventions of exported datasets.</summary>
internal static class LabelBase
{
    /// <summary>
    /// Shifts labels that start at 1 (downsampled ImageNet's run 1..1000) down to 0, in place,
    /// when no split uses 0; returns the class count, the largest label + 1.
    /// </summary>
    public static int ToZeroBased(IReadOnlyList<long[]> splits)
    {
        var all = splits.SelectMany(s => s).ToArray();
        if (all.Length == 0) return 1;
        if (all.Min() == 1)
            foreach (var split in splits)
                for (var i = 0; i < split.Length; i++) split[i]--;
        return (int)splits.SelectMany(s => s).Max() + 1;
    }
}
