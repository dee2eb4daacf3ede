using System.Formats.Tar;
using System.IO.Compression;

namespace Tracker.Training.Data;

public enum CifarVariant
{
    /// <summary>Records of 1 label byte + 3072 pixel bytes; data_batch_1..5.bin and test_batch.bin.</summary>
    Cifar10,
    /// <summary>Records of a coarse and a fine label byte + 3072 pixel bytes; train.bin and test.bin. The fine (100-class) label is used.</summary>
    Cifar100,
}

/// <summary>
/// Reads the binary versions of CIFAR-10 and CIFAR-100 (32x32 RGB, pixels stored channel-major
/// like N x C x H x W, so records copy straight in). The path may be the folder holding the .bin
/// files, the folder the official archive unpacks into, or the archive itself (.tar.gz or .tar).
/// </summary>
public static class CifarReader
{
    public const string Cifar10DefaultPath = "/usr/share/datasets/cifar10";
    public const string Cifar100DefaultPath = "/usr/share/datasets/cifar100";
    public const int ImageBytes = 3 * 32 * 32;

    public static DatasetSplits LoadCifar10(string? path = null) => Load(CifarVariant.Cifar10, path ?? Cifar10DefaultPath);

    public static DatasetSplits LoadCifar100(string? path = null) => Load(CifarVariant.Cifar100, path ?? Cifar100DefaultPath);

    public static DatasetSplits Load(CifarVariant variant, string path)
    {
        var layout = Layout.Of(variant);
        var files = File.Exists(path) ? ReadArchive(path, layout) : ReadFolder(path, layout);
        var train = ParseRecords($"{layout.Name} train", variant, layout.TrainFiles.Select(f => (f, files[f])).ToArray());
        var test = ParseRecords($"{layout.Name} test", variant, [(layout.TestFile, files[layout.TestFile])]);
        var normalization = variant == CifarVariant.Cifar10 ? ChannelNormalization.Cifar10 : ChannelNormalization.Cifar100;
        return new DatasetSplits(train, test, normalization);
    }

    /// <summary>Parses whole files of fixed-size records, in order, into one dataset.</summary>
    public static ImageDataset ParseRecords(string name, CifarVariant variant, IReadOnlyList<(string Source, byte[] Bytes)> files)
    {
        var layout = Layout.Of(variant);
        var recordSize = layout.LabelBytes + ImageBytes;
        var total = 0;
        foreach (var (source, bytes) in files)
        {
            if (bytes.Length == 0 || bytes.Length % recordSize != 0)
                throw new InvalidDataException($"{source} holds {bytes.Length} bytes, not a whole number of {layout.Name} records ({recordSize} bytes each).");
            total += bytes.Length / recordSize;
        }

        var builder = new ImageDataset.Builder(name, total, 3, 32, 32, layout.ClassCount);
        var index = 0;
        foreach (var (source, bytes) in files)
        {
            for (var offset = 0; offset < bytes.Length; offset += recordSize, index++)
            {
                var label = bytes[offset + layout.LabelBytes - 1]; // CIFAR-100's fine label is its second byte
                if (label >= layout.ClassCount)
                    throw new InvalidDataException($"{source}: record {offset / recordSize} has label {label}, outside 0..{layout.ClassCount - 1}.");
                builder.SetLabel(index, label);
                bytes.AsSpan(offset + layout.LabelBytes, ImageBytes).CopyTo(builder.ImageBuffer(index));
            }
        }
        return builder.Build();
    }

    private static Dictionary<string, byte[]> ReadFolder(string path, Layout layout)
    {
        // Accept both the folder with the .bin files and the one holding the archive's top folder.
        var nested = Path.Combine(path, layout.ArchiveFolder);
        var folder = !File.Exists(Path.Combine(path, layout.TestFile)) && Directory.Exists(nested) ? nested : path;
        var files = new Dictionary<string, byte[]>();
        foreach (var name in layout.AllFiles)
        {
            var file = Path.Combine(folder, name);
            if (!File.Exists(file)) throw Missing(layout, path, file);
            files[name] = File.ReadAllBytes(file);
        }
        return files;
    }

    private static Dictionary<string, byte[]> ReadArchive(string path, Layout layout)
    {
        var files = new Dictionary<string, byte[]>();
        using (var archive = IdxReader.OpenMaybeGzip(path))
        using (var tar = new TarReader(archive))
        {
            try
            {
                while (tar.GetNextEntry() is { } entry)
                {
                    var name = Path.GetFileName(entry.Name);
                    if (entry.DataStream is null || !layout.AllFiles.Contains(name)) continue;
                    var bytes = new byte[entry.Length];
                    entry.DataStream.ReadExactly(bytes);
                    files[name] = bytes;
                }
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
            {
                throw new InvalidDataException($"{path} is not a readable {layout.Name} archive (.tar.gz or .tar): {e.Message}", e);
            }
        }
        var absent = layout.AllFiles.FirstOrDefault(f => !files.ContainsKey(f));
        if (absent is not null)
            throw new InvalidDataException($"{path} is an archive without {absent}; expected the binary {layout.Name} archive ({layout.ArchiveFile}).");
        return files;
    }

    private static DatasetNotFoundException Missing(Layout layout, string path, string file)
    {
        var where = Directory.Exists(path) ? $"{file} is missing" : $"{path} does not exist";
        return new DatasetNotFoundException(
            $"{layout.Name} not found: {where}. No Debian package provides {layout.Name}: download {layout.ArchiveFile} "
            + $"(the binary version, from https://www.cs.toronto.edu/~kriz/cifar.html) and unpack it into {path}, "
            + "or set datasetPath to the archive or to the folder holding the .bin files.",
            file);
    }

    private sealed record Layout(string Name, int ClassCount, int LabelBytes, string[] TrainFiles, string TestFile, string ArchiveFolder, string ArchiveFile)
    {
        public IEnumerable<string> AllFiles => TrainFiles.Append(TestFile);

        private static readonly Layout Cifar10 = new("CIFAR-10", 10, 1,
            ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"],
            "test_batch.bin", "cifar-10-batches-bin", "cifar-10-binary.tar.gz");

        private static readonly Layout Cifar100 = new("CIFAR-100", 100, 2, ["train.bin"], "test.bin", "cifar-100-binary", "cifar-100-binary.tar.gz");

        public static Layout Of(CifarVariant variant) => variant == CifarVariant.Cifar10 ? Cifar10 : Cifar100;
    }
}
