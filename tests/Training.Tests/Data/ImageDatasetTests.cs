using Tracker.Training.Data;

namespace Tracker.Training.Tests.Data;

public class ImageDatasetTests
{
    /// <summary>Image i is filled with byte i (mod 256); classes are unbalanced: 60% class 0, 30% class 1, 10% class 2.</summary>
    private static ImageDataset Unbalanced(int count = 200)
    {
        var labels = Enumerable.Range(0, count).Select(i => (long)(i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2)).ToArray();
        var pixels = Enumerable.Range(0, count).SelectMany(i => Enumerable.Repeat((byte)(i % 256), 4)).ToArray();
        return new ImageDataset("unbalanced", pixels, labels, 1, 2, 2, classCount: 3);
    }

    [Fact]
    public void Subset_KeepsEachClassShare()
    {
        var subset = Unbalanced().Subset(50, seed: 1);

        Assert.Equal(50, subset.Count);
        Assert.Equal([30, 15, 5], subset.ClassCounts());
    }

    [Fact]
    public void Subset_LeftoverSlotsGoToLargestRemainders()
    {
        // Shares of 7 over 60/30/10%: 4.2, 2.1, 0.7 -> floors 4, 2, 0 and the spare slot to class 2.
        Assert.Equal([4, 2, 1], Unbalanced().Subset(7, seed: 0).ClassCounts());
    }

    [Fact]
    public void Subset_SameSeedSameExamples_OtherSeedOthers()
    {
        var dataset = Unbalanced();

        var a = Ids(dataset.Subset(20, seed: 3));
        var b = Ids(dataset.Subset(20, seed: 3));
        var c = Ids(dataset.Subset(20, seed: 4));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Subset_ExamplesKeepTheirOwnLabels()
    {
        var dataset = Unbalanced();
        var subset = dataset.Subset(30, seed: 9);

        for (var i = 0; i < subset.Count; i++)
            Assert.Equal(dataset.Label(subset.Image(i)[0]), subset.Label(i));
    }

    [Fact]
    public void Subset_AsLargeAsTheDataset_ReturnsItWhole()
    {
        var dataset = Unbalanced(10);

        Assert.Same(dataset, dataset.Subset(10, seed: 0));
        Assert.Same(dataset, dataset.Subset(1000, seed: 0));
    }

    [Fact]
    public void Split_PartsAreDisjointCoverAllAndAreStratified()
    {
        var dataset = Unbalanced(100);

        var (train, holdout) = dataset.Split(20, seed: 5);

        Assert.Equal((80, 20), (train.Count, holdout.Count));
        Assert.Equal([12, 6, 2], holdout.ClassCounts());
        var trainIds = Ids(train);
        var holdoutIds = Ids(holdout);
        Assert.Empty(trainIds.Intersect(holdoutIds));
        Assert.Equal(Enumerable.Range(0, 100), trainIds.Concat(holdoutIds).Order());
    }

    [Fact]
    public void Constructor_RejectsPixelCountThatDoesNotMatchShape()
    {
        var error = Assert.Throws<ArgumentException>(() => new ImageDataset("bad", new byte[10], [0, 1], 1, 2, 2, 2));

        Assert.Contains("need 8 pixels", error.Message);
    }

    [Fact]
    public void Constructor_RejectsLabelsOutsideTheClasses()
    {
        var error = Assert.Throws<ArgumentException>(() => new ImageDataset("bad", new byte[8], [0, 5], 1, 2, 2, 2));

        Assert.Contains("Label 5", error.Message);
    }

    [Fact]
    public void StorageSpanningManyChunks_ReadsAndIndexesLikeOneArray()
    {
        // 10 images of 2x2 in chunks of at most 3 images (12 bytes): chunks of 3, 3, 3 and 1.
        var pixels = Formats.Counting(40);
        var builder = new ImageDataset.Builder("chunked", 10, 1, 2, 2, classCount: 2, maxChunkBytes: 12);
        builder.ReadImages(new MemoryStream(pixels));
        for (var i = 0; i < 10; i++) builder.SetLabel(i, i % 2);

        var dataset = builder.Build();

        for (var i = 0; i < 10; i++) Assert.Equal(pixels[(4 * i)..(4 * i + 4)], dataset.Image(i).ToArray());
        var subset = dataset.Subset(4, seed: 0);
        for (var i = 0; i < subset.Count; i++) Assert.Equal(subset.Image(i)[0] / 4 % 2, subset.Label(i));
    }

    private static int[] Ids(ImageDataset dataset) => Enumerable.Range(0, dataset.Count).Select(i => (int)dataset.Image(i)[0]).ToArray();
}

public class ChannelNormalizationTests
{
    [Fact]
    public void Compute_MeasuresEachChannelSeparately()
    {
        // Two 2-channel 1x2 images: channel 0 holds 0 and 255 (mean 0.5, std 0.5), channel 1 is a constant 51.
        var dataset = new ImageDataset("two", [0, 255, 51, 51, 255, 0, 51, 51], [0, 0], 2, 1, 2, 1);

        var normalization = ChannelNormalization.Compute(dataset);

        Assert.Equal(0.5f, normalization.Mean[0], 1e-6f);
        Assert.Equal(0.5f, normalization.Std[0], 1e-6f);
        Assert.Equal(0.2f, normalization.Mean[1], 1e-6f);
        Assert.Equal(1f, normalization.Std[1]); // constant channel: centred, not divided by zero
    }
}

public class SyntheticDatasetTests
{
    [Fact]
    public void SameOptions_GiveTheSameData_AnotherSeedOtherData()
    {
        var options = new SyntheticOptions { TrainCount = 30, TestCount = 10, Channels = 3, Height = 8, Width = 8, ClassCount = 4, Seed = 7 };

        var a = SyntheticDataset.Create(options);
        var b = SyntheticDataset.Create(options);
        var c = SyntheticDataset.Create(options with { Seed = 8 });

        Assert.Equal((30, 10, 4), (a.Train.Count, a.Test.Count, a.ClassCount));
        Assert.Equal((3, 8, 8), (a.Train.Channels, a.Train.Height, a.Train.Width));
        Assert.Equal(a.Train.Image(5).ToArray(), b.Train.Image(5).ToArray());
        Assert.Equal(a.Test.Image(3).ToArray(), b.Test.Image(3).ToArray());
        Assert.NotEqual(a.Train.Image(5).ToArray(), c.Train.Image(5).ToArray());
        Assert.NotEqual(a.Train.Image(0).ToArray(), a.Train.Image(a.ClassCount).ToArray()); // same class, different noise
    }

    [Fact]
    public void ClassesAreLearnable_NearestTrainMeanClassifiesTheTestSet()
    {
        var splits = SyntheticDataset.Create(new SyntheticOptions { TrainCount = 200, TestCount = 100, ClassCount = 5, Height = 10, Width = 10, Noise = 0.4 });
        var size = splits.Train.ImageSize;
        var means = new double[splits.ClassCount, size];
        var counts = splits.Train.ClassCounts();
        for (var i = 0; i < splits.Train.Count; i++)
            for (var p = 0; p < size; p++)
                means[splits.Train.Label(i), p] += splits.Train.Image(i)[p] / (double)counts[splits.Train.Label(i)];

        var correct = 0;
        for (var i = 0; i < splits.Test.Count; i++)
        {
            var image = splits.Test.Image(i).ToArray();
            var best = Enumerable.Range(0, splits.ClassCount)
                .MinBy(c => Enumerable.Range(0, size).Sum(p => Math.Pow(image[p] - means[c, p], 2)));
            if (best == splits.Test.Label(i)) correct++;
        }

        Assert.True(correct >= 90, $"Nearest class mean got {correct}/100 right.");
    }
}
