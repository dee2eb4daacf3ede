using System.IO.Compression;
using Tracker.Shared;
using Tracker.Training.Data;

namespace Tracker.Training.Tests.Data;

public class NpyReaderTests
{
    [Fact]
    public void ChannelsLastImages_AreTransposedToChannelsFirst()
    {
        using var folder = new TempFolder();
        // Two 2x2 RGB images, pixel value = 100*image + 10*position + channel.
        var hwc = new byte[2 * 2 * 2 * 3];
        for (var n = 0; n < 2; n++)
            for (var p = 0; p < 4; p++)
                for (var c = 0; c < 3; c++)
                    hwc[n * 12 + p * 3 + c] = (byte)(100 * n + 10 * p + c);
        File.WriteAllBytes(folder.File("x.npy"), Formats.Npy("|u1", [2, 2, 2, 3], hwc));
        File.WriteAllBytes(folder.File("y.npy"), Formats.Npy("<i8", [2], Formats.Int64s(1, 0)));

        var dataset = NpyReader.ReadDataset(folder.File("x.npy"), folder.File("y.npy"), "hwc");

        Assert.Equal((3, 2, 2), (dataset.Channels, dataset.Height, dataset.Width));
        // Channel-major: all of channel 0, then channel 1, then channel 2.
        Assert.Equal(new byte[] { 100, 110, 120, 130, 101, 111, 121, 131, 102, 112, 122, 132 }, dataset.Image(1).ToArray());
        Assert.Equal([1L, 0], dataset.Labels.ToArray());
    }

    [Theory]
    [InlineData(new long[] { 3, 1, 4, 5 }, 1, 4, 5)]   // N C H W
    [InlineData(new long[] { 3, 3, 4, 5 }, 3, 4, 5)]   // N C H W, RGB
    [InlineData(new long[] { 3, 4, 5 }, 1, 4, 5)]      // N H W
    [InlineData(new long[] { 3, 4, 5, 1 }, 1, 4, 5)]   // N H W C, grey
    [InlineData(new long[] { 3, 49 }, 1, 7, 7)]        // flattened grey
    [InlineData(new long[] { 3, 3 * 64 }, 3, 8, 8)]    // flattened channel-major RGB, as downsampled ImageNet
    public void ImageShapes_AreDetected(long[] shape, int channels, int height, int width)
    {
        var layout = NpyReader.ImageLayoutOf(new NpyHeader("|u1", false, shape), "x");

        Assert.Equal((3, channels, height, width), (layout.Count, layout.Channels, layout.Height, layout.Width));
    }

    [Fact]
    public void ChannelsFirstImages_AreCopiedAsTheyAre()
    {
        using var folder = new TempFolder();
        var pixels = Formats.Counting(2 * 3 * 2 * 2);
        File.WriteAllBytes(folder.File("x.npy"), Formats.Npy("|u1", [2, 3, 2, 2], pixels));
        File.WriteAllBytes(folder.File("y.npy"), Formats.Npy("|u1", [2], [0, 2]));

        var dataset = NpyReader.ReadDataset(folder.File("x.npy"), folder.File("y.npy"), "chw");

        Assert.Equal(pixels[12..], dataset.Image(1).ToArray());
        Assert.Equal(3, dataset.ClassCount);
    }

    [Theory]
    [InlineData("<i8")]
    [InlineData("<i4")]
    [InlineData("|u1")]
    public void IntegerLabels_OfEachWidth_Read(string descr)
    {
        long[] expected = [7, 0, 255, 3];
        var data = descr switch
        {
            "<i8" => Formats.Int64s(expected),
            "<i4" => Formats.Int32s(expected.Select(v => (int)v).ToArray()),
            _ => expected.Select(v => (byte)v).ToArray(),
        };
        using var stream = new MemoryStream(Formats.Npy(descr, [4], data));

        var labels = NpyReader.ReadLabels(stream, NpyReader.ReadHeader(stream, "y"), "y");

        Assert.Equal(expected, labels);
    }

    [Fact]
    public void VersionTwoHeader_AndColumnLabels_Read()
    {
        using var stream = new MemoryStream(Formats.Npy("<i8", [3, 1], Formats.Int64s(2, 1, 0), majorVersion: 2));

        var header = NpyReader.ReadHeader(stream, "y");
        var labels = NpyReader.ReadLabels(stream, header, "y");

        Assert.Equal([3L, 1], header.Shape);
        Assert.Equal([2L, 1, 0], labels);
    }

    [Fact]
    public void FloatImages_AreRejectedWithTheFix()
    {
        var header = new NpyHeader("<f4", false, [2, 28, 28]);

        var error = Assert.Throws<InvalidDataException>(() => NpyReader.ImageLayoutOf(header, "x_train"));

        Assert.Contains("'<f4'", error.Message);
        Assert.Contains("uint8", error.Message);
    }

    [Fact]
    public void FortranOrderImages_AreRejected()
    {
        var error = Assert.Throws<InvalidDataException>(() => NpyReader.ImageLayoutOf(new NpyHeader("|u1", true, [2, 28, 28]), "x"));

        Assert.Contains("Fortran", error.Message);
    }

    [Fact]
    public void BigEndianLabels_AreRejected()
    {
        using var stream = new MemoryStream(Formats.Npy(">i8", [1], new byte[8]));

        var error = Assert.Throws<InvalidDataException>(() => NpyReader.ReadLabels(stream, NpyReader.ReadHeader(stream, "y"), "y"));

        Assert.Contains("big-endian", error.Message);
    }

    [Fact]
    public void NotNpy_ThrowsNamingTheSource()
    {
        using var stream = new MemoryStream("PK\x03\x04 not numpy"u8.ToArray());

        var error = Assert.Throws<InvalidDataException>(() => NpyReader.ReadHeader(stream, "archive.npz:x_train"));

        Assert.Contains("archive.npz:x_train", error.Message);
    }

    [Fact]
    public void TruncatedImages_ThrowSayingSo()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("x.npy"), Formats.Npy("|u1", [4, 3, 3], new byte[30]));
        File.WriteAllBytes(folder.File("y.npy"), Formats.Npy("|u1", [4], new byte[4]));

        var error = Assert.Throws<InvalidDataException>(() => NpyReader.ReadDataset(folder.File("x.npy"), folder.File("y.npy"), "x"));

        Assert.Contains("truncated", error.Message);
    }
}

public class NpzReaderTests
{
    private static byte[] GreyImages(int count, int side) => Formats.Npy("|u1", [count, side, side], Formats.Counting(count * side * side));

    [Theory]
    [InlineData(CompressionLevel.NoCompression)]   // np.savez
    [InlineData(CompressionLevel.Optimal)]         // np.savez_compressed
    public void TrainAndTestArrays_LoadAsSplits(CompressionLevel compression)
    {
        using var folder = new TempFolder();
        var path = folder.File("data.npz");
        Formats.Npz(path, compression,
            ("x_train", GreyImages(6, 4)), ("y_train", Formats.Npy("<i8", [6], Formats.Int64s(0, 1, 2, 0, 1, 2))),
            ("x_test", GreyImages(2, 4)), ("y_test", Formats.Npy("<i8", [2], Formats.Int64s(2, 4))));

        var splits = DatasetCatalog.Load(KnownDatasets.Npz, path);

        Assert.Equal((6, 2), (splits.Train.Count, splits.Test.Count));
        Assert.Equal(5, splits.ClassCount); // the largest label over both splits + 1
        Assert.Equal(5, splits.Test.ClassCount);
        Assert.False(splits.TestIsHoldout);
        Assert.Equal(Formats.Counting(16, offset: 16), splits.Train.Image(1).ToArray());
        Assert.Equal(ChannelNormalization.Compute(splits.Train), splits.Normalization, NormalizationComparer.Instance);
    }

    [Fact]
    public void WithoutTestArrays_HoldsOutAStratifiedTenth()
    {
        using var folder = new TempFolder();
        var path = folder.File("train-only.npz");
        var labels = Enumerable.Range(0, 100).Select(i => (long)(i % 4)).ToArray();
        Formats.Npz(path, CompressionLevel.Fastest, ("train_data", GreyImages(100, 3)), ("train_labels", Formats.Npy("<i8", [100], Formats.Int64s(labels))));

        var first = NpzReader.Load(path);
        var second = NpzReader.Load(path);

        Assert.True(first.TestIsHoldout);
        Assert.Equal((90, 10), (first.Train.Count, first.Test.Count));
        Assert.All(first.Test.ClassCounts(), count => Assert.InRange(count, 2, 3));
        Assert.Equal(first.Test.Labels.ToArray(), second.Test.Labels.ToArray());
        Assert.Equal(first.Test.Image(0).ToArray(), second.Test.Image(0).ToArray());
    }

    [Fact]
    public void LabelsStartingAtOne_AreShiftedToZero()
    {
        using var folder = new TempFolder();
        var path = folder.File("imagenet-like.npz");
        Formats.Npz(path, CompressionLevel.Fastest,
            ("data", Formats.Npy("|u1", [4, 3 * 16], Formats.Counting(4 * 48))),
            ("labels", Formats.Npy("<i8", [4], Formats.Int64s(1, 3, 2, 3))));

        var splits = NpzReader.Load(path);

        Assert.Equal(3, splits.ClassCount);
        Assert.Equal((3, 4, 4), (splits.Train.Channels, splits.Train.Height, splits.Train.Width));
        var all = splits.Train.Labels.ToArray().Concat(splits.Test.Labels.ToArray()).Order();
        Assert.Equal([0L, 1, 2, 2], all);
    }

    [Fact]
    public void UnknownKeys_ErrorListsFoundAndExpectedKeys()
    {
        using var folder = new TempFolder();
        var path = folder.File("odd.npz");
        Formats.Npz(path, CompressionLevel.Fastest, ("pixels", GreyImages(2, 2)), ("targets", Formats.Npy("|u1", [2], [0, 1])));

        var error = Assert.Throws<InvalidDataException>(() => NpzReader.Load(path));

        Assert.Contains("pixels", error.Message);
        Assert.Contains("x_train/y_train", error.Message);
    }

    [Fact]
    public void MissingFile_ErrorNamesThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "missing-" + Guid.NewGuid().ToString("N") + ".npz");

        var error = Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.Load(KnownDatasets.Npz, path));

        Assert.Contains(path, error.Message);
        Assert.Equal(path, error.FileName);
    }

    [Fact]
    public void NotAZip_ThrowsNamingThePath()
    {
        using var folder = new TempFolder();
        var path = folder.File("plain.npz");
        File.WriteAllBytes(path, Formats.Npy("|u1", [1], [0]));

        var error = Assert.Throws<InvalidDataException>(() => NpzReader.Load(path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void TestImagesOfAnotherShape_AreRejected()
    {
        using var folder = new TempFolder();
        var path = folder.File("mismatch.npz");
        Formats.Npz(path, CompressionLevel.Fastest,
            ("x_train", GreyImages(2, 4)), ("y_train", Formats.Npy("|u1", [2], [0, 1])),
            ("x_test", GreyImages(2, 5)), ("y_test", Formats.Npy("|u1", [2], [0, 1])));

        var error = Assert.Throws<InvalidDataException>(() => NpzReader.Load(path));

        Assert.Contains("x_test", error.Message);
    }
}

internal sealed class NormalizationComparer : IEqualityComparer<ChannelNormalization>
{
    public static readonly NormalizationComparer Instance = new();

    public bool Equals(ChannelNormalization? a, ChannelNormalization? b) =>
        a is not null && b is not null && a.Mean.SequenceEqual(b.Mean) && a.Std.SequenceEqual(b.Std);

    public int GetHashCode(ChannelNormalization value) => value.Channels;
}
