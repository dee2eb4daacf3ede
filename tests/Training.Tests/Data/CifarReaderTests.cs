using System.Formats.Tar;
using System.IO.Compression;
using Tracker.Shared;
using Tracker.Training.Data;

namespace Tracker.Training.Tests.Data;

public class CifarReaderTests
{
    private static readonly string[] Cifar10Train = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>CIFAR-10 records: the label, then 3072 pixels; pixel bytes here encode (record, position).</summary>
    private static byte[] Cifar10Records(params byte[] labels)
    {
        var bytes = new byte[labels.Length * 3073];
        for (var r = 0; r < labels.Length; r++)
        {
            bytes[r * 3073] = labels[r];
            Formats.Counting(3072, offset: labels[r] * 17).CopyTo(bytes, r * 3073 + 1);
        }
        return bytes;
    }

    private static void WriteCifar10(string folder)
    {
        Directory.CreateDirectory(folder);
        for (var b = 0; b < 5; b++) File.WriteAllBytes(Path.Combine(folder, Cifar10Train[b]), Cifar10Records((byte)b, (byte)(b + 5)));
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), Cifar10Records(9, 0, 3));
    }

    [Fact]
    public void Cifar10Folder_ReadsBatchesInOrderAsChannelMajorImages()
    {
        using var folder = new TempFolder();
        WriteCifar10(folder.Path);

        var splits = DatasetCatalog.Load(KnownDatasets.Cifar10, folder.Path);

        Assert.Equal(10, splits.Train.Count);
        Assert.Equal(3, splits.Test.Count);
        Assert.Equal((3, 32, 32, 10), (splits.Train.Channels, splits.Train.Height, splits.Train.Width, splits.ClassCount));
        Assert.Equal([0L, 5, 1, 6, 2, 7, 3, 8, 4, 9], splits.Train.Labels.ToArray());
        Assert.Equal([9L, 0, 3], splits.Test.Labels.ToArray());
        Assert.Equal(Formats.Counting(3072, offset: 6 * 17), splits.Train.Image(3).ToArray());
        Assert.Same(ChannelNormalization.Cifar10, splits.Normalization);
    }

    [Fact]
    public void Cifar10_FolderHoldingTheUnpackedArchiveFolder_IsAccepted()
    {
        using var folder = new TempFolder();
        WriteCifar10(folder.File("cifar-10-batches-bin"));

        var splits = CifarReader.LoadCifar10(folder.Path);

        Assert.Equal(10, splits.Train.Count);
    }

    [Fact]
    public void Cifar100_UsesTheFineLabel()
    {
        using var folder = new TempFolder();
        var train = new byte[2 * 3074];
        train[0] = 3; train[1] = 42;          // coarse 3, fine 42
        train[3074] = 19; train[3075] = 99;   // coarse 19, fine 99
        Formats.Counting(3072, offset: 1).CopyTo(train, 3074 + 2);
        File.WriteAllBytes(folder.File("train.bin"), train);
        File.WriteAllBytes(folder.File("test.bin"), new byte[3074]);

        var splits = DatasetCatalog.Load(KnownDatasets.Cifar100, folder.Path);

        Assert.Equal(100, splits.ClassCount);
        Assert.Equal([42L, 99], splits.Train.Labels.ToArray());
        Assert.Equal(Formats.Counting(3072, offset: 1), splits.Train.Image(1).ToArray());
        Assert.Same(ChannelNormalization.Cifar100, splits.Normalization);
    }

    [Fact]
    public void Cifar10Archive_ReadsStraightFromTheTarGz()
    {
        using var folder = new TempFolder();
        WriteCifar10(folder.File("unpacked/cifar-10-batches-bin"));
        var archive = folder.File("cifar-10-binary.tar.gz");
        using (var file = File.Create(archive))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            TarFile.CreateFromDirectory(folder.File("unpacked"), gzip, includeBaseDirectory: false);

        var splits = CifarReader.LoadCifar10(archive);

        Assert.Equal([0L, 5, 1, 6, 2, 7, 3, 8, 4, 9], splits.Train.Labels.ToArray());
        Assert.Equal(Formats.Counting(3072, offset: 9 * 17), splits.Test.Image(0).ToArray());
    }

    [Fact]
    public void FileWithPartialRecord_ThrowsNamingTheFile()
    {
        using var folder = new TempFolder();
        WriteCifar10(folder.Path);
        File.WriteAllBytes(folder.File("data_batch_3.bin"), Cifar10Records(1, 2)[..^5]);

        var error = Assert.Throws<InvalidDataException>(() => CifarReader.LoadCifar10(folder.Path));

        Assert.Contains("data_batch_3.bin", error.Message);
        Assert.Contains("3073", error.Message);
    }

    [Fact]
    public void Cifar10LabelAboveNine_Throws()
    {
        var error = Assert.Throws<InvalidDataException>(() => CifarReader.ParseRecords("x", CifarVariant.Cifar10, [("batch", Cifar10Records(10))]));

        Assert.Contains("label 10", error.Message);
    }

    [Fact]
    public void MissingCifar10_ErrorNamesTheMissingFileAndWhereToGetIt()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("data_batch_1.bin"), Cifar10Records(0));

        var error = Assert.Throws<DatasetNotFoundException>(() => CifarReader.LoadCifar10(folder.Path));

        Assert.Contains(folder.File("data_batch_2.bin"), error.Message);
        Assert.Contains("cifar-10-binary.tar.gz", error.Message);
        Assert.Contains("No Debian package", error.Message);
    }
}
