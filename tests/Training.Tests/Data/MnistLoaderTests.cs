using System.Diagnostics;
using Tracker.Shared;
using Tracker.Training.Data;
using Xunit.Abstractions;

namespace Tracker.Training.Tests.Data;

/// <summary>Runs only where the Debian package's files are present (it is installed by ./test.sh).</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!File.Exists(Path.Combine(FashionMnist.DefaultPath, "train-images-idx3-ubyte.gz")))
            Skip = $"Fashion-MNIST is not installed at {FashionMnist.DefaultPath}: apt-get install {FashionMnist.DebianPackage}";
    }
}

public class MnistLoaderTests(ITestOutputHelper output)
{
    [FashionMnistFact]
    public void InstalledFashionMnist_LoadsBothSplits()
    {
        var clock = Stopwatch.StartNew();
        var splits = DatasetCatalog.Load(KnownDatasets.FashionMnist);
        clock.Stop();
        output.WriteLine($"Fashion-MNIST loaded in {clock.ElapsedMilliseconds} ms.");

        Assert.Equal(60000, splits.Train.Count);
        Assert.Equal(10000, splits.Test.Count);
        Assert.Equal((1, 28, 28), (splits.Train.Channels, splits.Train.Height, splits.Train.Width));
        Assert.Equal(10, splits.ClassCount);
        Assert.False(splits.TestIsHoldout);
        // Fashion-MNIST is balanced: 6000 and 1000 of each class.
        Assert.All(splits.Train.ClassCounts(), count => Assert.Equal(6000, count));
        Assert.All(splits.Test.ClassCounts(), count => Assert.Equal(1000, count));

        // The published constants are what the training set measures.
        clock.Restart();
        var measured = ChannelNormalization.Compute(splits.Train);
        output.WriteLine($"Normalisation measured in {clock.ElapsedMilliseconds} ms.");
        Assert.Equal(ChannelNormalization.FashionMnist.Mean[0], measured.Mean[0], 0.0005f);
        Assert.Equal(ChannelNormalization.FashionMnist.Std[0], measured.Std[0], 0.0005f);
    }

    [Fact]
    public void MissingFashionMnist_ErrorNamesPathAndDebianPackage()
    {
        using var folder = new TempFolder();

        var error = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.Load(KnownDatasets.FashionMnist, folder.Path));

        Assert.Contains(Path.Combine(folder.Path, "train-images-idx3-ubyte.gz"), error.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message);
        Assert.Equal("dataset-fashion-mnist", error.DebianPackage);
        Assert.Equal(Path.Combine(folder.Path, "train-images-idx3-ubyte.gz"), error.FileName);
    }

    [Fact]
    public void MissingMnistFolder_ErrorNamesPathAndSaysWhereToPutFiles()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-mnist-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.Load(KnownDatasets.Mnist, missing));

        Assert.Contains($"{missing} does not exist", error.Message);
        Assert.Contains("No Debian package provides MNIST", error.Message);
        Assert.Contains("t10k-labels-idx1-ubyte.gz", error.Message);
        Assert.Null(error.DebianPackage);
    }

    [Fact]
    public void MnistFolder_WithRawAndDottedNames_Loads()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("train-images.idx3-ubyte"), Formats.Idx(Formats.Counting(5 * 4), 5, 2, 2));
        File.WriteAllBytes(folder.File("train-labels-idx1-ubyte"), Formats.Idx([0, 1, 2, 3, 9], 5));
        File.WriteAllBytes(folder.File("t10k-images-idx3-ubyte.gz"), Formats.Gzip(Formats.Idx(Formats.Counting(2 * 4), 2, 2, 2)));
        File.WriteAllBytes(folder.File("t10k-labels-idx1-ubyte.gz"), Formats.Gzip(Formats.Idx([4, 5], 2)));

        var splits = Mnist.Load(folder.Path);

        Assert.Equal(5, splits.Train.Count);
        Assert.Equal([4L, 5], splits.Test.Labels.ToArray());
        Assert.Same(ChannelNormalization.Mnist, splits.Normalization);
    }
}
