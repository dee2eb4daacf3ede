using Tracker.Training.Data;

namespace Tracker.Training.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SmallFile_ParsesShapeAndDataRawOrGzipped(bool gzip)
    {
        using var folder = new TempFolder();
        var data = Formats.Counting(2 * 3 * 4);
        var bytes = Formats.Idx(data, 2, 3, 4);
        var path = folder.File("images-idx3-ubyte");
        File.WriteAllBytes(path, gzip ? Formats.Gzip(bytes) : bytes);

        var array = IdxReader.Read(path);

        Assert.Equal([2, 3, 4], array.Shape);
        Assert.Equal(data, array.Data);
    }

    [Fact]
    public void ImageAndLabelFiles_MakeOneChannelDataset()
    {
        using var folder = new TempFolder();
        var pixels = Formats.Counting(3 * 2 * 2, offset: 7);
        File.WriteAllBytes(folder.File("images"), Formats.Gzip(Formats.Idx(pixels, 3, 2, 2)));
        File.WriteAllBytes(folder.File("labels"), Formats.Idx([2, 0, 1], 3));

        var dataset = IdxReader.ReadDataset(folder.File("images"), folder.File("labels"), "tiny", classCount: 3);

        Assert.Equal((3, 1, 2, 2), (dataset.Count, dataset.Channels, dataset.Height, dataset.Width));
        Assert.Equal([2L, 0, 1], dataset.Labels.ToArray());
        Assert.Equal(pixels[4..8], dataset.Image(1).ToArray());
    }

    [Fact]
    public void WrongMagic_ThrowsNamingTheFile()
    {
        using var folder = new TempFolder();
        var path = folder.File("not-idx");
        File.WriteAllBytes(path, [0x50, 0x4b, 0x08, 0x01, 0, 0, 0, 1, 5]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("not an IDX file", error.Message);
    }

    [Fact]
    public void NonByteElementType_IsRejected()
    {
        using var folder = new TempFolder();
        var bytes = Formats.Idx([0, 0, 0, 1], 1);
        bytes[2] = 0x0C; // int32
        File.WriteAllBytes(folder.File("ints"), bytes);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(folder.File("ints")));

        Assert.Contains("0x0c", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedData_ThrowsSayingSo(bool gzip)
    {
        using var folder = new TempFolder();
        var bytes = Formats.Idx(Formats.Counting(100), 4, 5, 5)[..^10];
        File.WriteAllBytes(folder.File("cut"), gzip ? Formats.Gzip(bytes) : bytes);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(folder.File("cut")));

        Assert.Contains("truncated", error.Message);
        Assert.Contains("[4, 5, 5]", error.Message);
    }

    [Fact]
    public void DamagedGzip_ThrowsNamingTheFile()
    {
        using var folder = new TempFolder();
        var gzip = Formats.Gzip(Formats.Idx(Formats.Counting(4000), 10, 20, 20));
        for (var i = 20; i < gzip.Length - 20; i++) gzip[i] ^= 0x5A;
        File.WriteAllBytes(folder.File("damaged.gz"), gzip);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(folder.File("damaged.gz")));

        Assert.Contains(folder.File("damaged.gz"), error.Message);
    }

    [Fact]
    public void LabelAndImageCountsDisagree_Throws()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("images"), Formats.Idx(new byte[3 * 4], 3, 2, 2));
        File.WriteAllBytes(folder.File("labels"), Formats.Idx([0, 1], 2));

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(folder.File("images"), folder.File("labels"), "x", 10));

        Assert.Contains("3 images", error.Message);
        Assert.Contains("2 labels", error.Message);
    }

    [Fact]
    public void LabelOutsideClassCount_Throws()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("images"), Formats.Idx(new byte[2 * 4], 2, 2, 2));
        File.WriteAllBytes(folder.File("labels"), Formats.Idx([0, 10], 2));

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(folder.File("images"), folder.File("labels"), "x", 10));

        Assert.Contains("label 10", error.Message);
    }
}
