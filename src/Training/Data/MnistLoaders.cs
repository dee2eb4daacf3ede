namespace Tracker.Training.Data;

/// <summary>Fashion-MNIST: 60000 + 10000 grey 28x28 images of 10 clothing classes, in IDX files.</summary>
public static class FashionMnist
{
    public const string DefaultPath = "/usr/share/datasets/fashion-mnist";
    public const string DebianPackage = "dataset-fashion-mnist";

    /// <summary>Reads the four IDX files (gzipped or not) from <paramref name="directory"/> (default: where the Debian package puts them).</summary>
    public static DatasetSplits Load(string? directory = null) =>
        MnistFormat.Load("Fashion-MNIST", directory ?? DefaultPath, ChannelNormalization.FashionMnist,
            missing => $"Install it with `apt-get install {DebianPackage}` (Debian package {DebianPackage}), or set datasetPath to a folder holding the four IDX files.",
            DebianPackage);
}

/// <summary>MNIST: 60000 + 10000 grey 28x28 handwritten digits, in the same IDX files as Fashion-MNIST.</summary>
public static class Mnist
{
    /// <summary>No Debian package provides MNIST; this mirrors Fashion-MNIST's location.</summary>
    public const string DefaultPath = "/usr/share/datasets/mnist";

    public static DatasetSplits Load(string? directory = null) =>
        MnistFormat.Load("MNIST", directory ?? DefaultPath, ChannelNormalization.Mnist,
            missing => $"No Debian package provides MNIST: download {string.Join(", ", MnistFormat.Stems.Select(s => s + ".gz"))} "
                       + $"(from the MNIST database's site or a mirror) into {missing}, or set datasetPath to the folder holding them.",
            debianPackage: null);
}

/// <summary>The file layout the MNIST family shares.</summary>
internal static class MnistFormat
{
    public const int ClassCount = 10;
    public static readonly string[] Stems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    public static DatasetSplits Load(string name, string directory, ChannelNormalization normalization, Func<string, string> howToGet, string? debianPackage)
    {
        var paths = Stems.Select(stem => Find(directory, stem) ?? throw Missing(name, directory, stem, howToGet, debianPackage)).ToArray();
        // Decompressing is most of the cost: the test split inflates on a second core meanwhile.
        var test = Task.Run(() => IdxReader.ReadDataset(paths[2], paths[3], $"{name} test", ClassCount));
        var train = IdxReader.ReadDataset(paths[0], paths[1], $"{name} train", ClassCount);
        return new DatasetSplits(train, test.GetAwaiter().GetResult(), normalization);
    }

    // Mirrors differ: gzipped or not, and some write "train-images.idx3-ubyte".
    private static string? Find(string directory, string stem)
    {
        var dotted = stem.Replace("s-idx", "s.idx", StringComparison.Ordinal);
        foreach (var candidate in new[] { stem + ".gz", stem, dotted + ".gz", dotted })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static DatasetNotFoundException Missing(string name, string directory, string stem, Func<string, string> howToGet, string? debianPackage)
    {
        var expected = Path.Combine(directory, stem + ".gz");
        var where = Directory.Exists(directory) ? $"{expected} is missing" : $"{directory} does not exist";
        return new DatasetNotFoundException($"{name} not found: {where} (looked for {stem}.gz or {stem}). {howToGet(directory)}", expected, debianPackage);
    }
}
