using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Tracker.Training.Data;

/// <summary>The header of a .npy array: numpy's dtype string, memory order and shape.</summary>
public sealed record NpyHeader(string Descr, bool FortranOrder, long[] Shape)
{
    public long Count => Shape.Aggregate(1L, (product, d) => product * d);

    /// <summary>Bytes per element, from the descr's size digits ('&lt;i8' = 8).</summary>
    public int ItemSize => int.Parse(Descr.AsSpan(Descr.Length - 1), CultureInfo.InvariantCulture);

    /// <summary>'i' (signed), 'u' (unsigned), 'f' (float), 'b' (bool) ...</summary>
    public char Kind => Descr[^2];
}

/// <summary>How the pixels of a uint8 image array are laid out, and the images they make.</summary>
public sealed record NpyImageLayout(int Count, int Channels, int Height, int Width, bool ChannelsLast);

/// <summary>
/// Reads numpy's .npy format (version 1 to 3) for what image datasets need: uint8 image arrays
/// and integer label vectors, little-endian and C order.
/// </summary>
public static partial class NpyReader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    [GeneratedRegex(@"'descr'\s*:\s*'(?<descr>[^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(?<value>True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\((?<dims>[^)]*)\)")]
    private static partial Regex ShapePattern();

    /// <summary>Reads the magic, version and header dict, leaving the stream at the first data byte.</summary>
    public static NpyHeader ReadHeader(Stream stream, string source)
    {
        Span<byte> preamble = stackalloc byte[8];
        if (stream.ReadAtLeast(preamble, 8, throwOnEndOfStream: false) < 8 || !preamble[..6].SequenceEqual(Magic))
            throw new InvalidDataException($"{source} is not a .npy array: it does not start with numpy's \\x93NUMPY signature.");
        var major = preamble[6];
        int headerLength;
        if (major == 1)
        {
            Span<byte> length = stackalloc byte[2];
            stream.ReadExactly(length);
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(length);
        }
        else if (major is 2 or 3)
        {
            Span<byte> length = stackalloc byte[4];
            stream.ReadExactly(length);
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(length));
        }
        else throw new InvalidDataException($"{source} uses .npy format version {major}; versions 1 to 3 are supported.");

        var headerBytes = new byte[headerLength];
        try
        {
            stream.ReadExactly(headerBytes);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{source} ends inside its .npy header.");
        }
        var header = Encoding.UTF8.GetString(headerBytes);

        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new InvalidDataException($"{source} has a .npy header without descr, fortran_order or shape: {header.Trim()}");
        var dims = shape.Groups["dims"].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new InvalidDataException($"{source} has a .npy shape entry '{d}' that is not a size."))
            .ToArray();
        var descrValue = descr.Groups["descr"].Value;
        if (descrValue.Length < 2 || !char.IsAsciiDigit(descrValue[^1]))
            throw new InvalidDataException($"{source} has dtype '{descrValue}', which is not a plain numeric type.");
        return new NpyHeader(descrValue, fortran.Groups["value"].Value == "True", dims);
    }

    /// <summary>Decides the image layout from a uint8 array's shape.</summary>
    /// <remarks>
    /// Rank 4: channels-last (N,H,W,C) when the last size is 1 or 3, else channels-first (N,C,H,W)
    /// when the second is. Rank 3: grey (N,H,W). Rank 2: flattened rows, read as grey s x s when the
    /// row length is a square, else as 3 x s x s channel-major (CIFAR's and downsampled ImageNet's layout).
    /// </remarks>
    public static NpyImageLayout ImageLayoutOf(NpyHeader header, string source)
    {
        if (header.Kind != 'u' || header.ItemSize != 1)
            throw new InvalidDataException($"{source} holds '{header.Descr}' images; they must be uint8 ('|u1'), e.g. (x * 255).round().astype(np.uint8).");
        RequireCOrder(header, source);
        var s = header.Shape;
        var layout = s.Length switch
        {
            4 when s[3] is 1 or 3 => new NpyImageLayout(Int(s[0]), Int(s[3]), Int(s[1]), Int(s[2]), ChannelsLast: true),
            4 when s[1] is 1 or 3 => new NpyImageLayout(Int(s[0]), Int(s[1]), Int(s[2]), Int(s[3]), ChannelsLast: false),
            3 => new NpyImageLayout(Int(s[0]), 1, Int(s[1]), Int(s[2]), ChannelsLast: false),
            2 when SquareSide(s[1]) is { } side => new NpyImageLayout(Int(s[0]), 1, side, side, ChannelsLast: false),
            2 when s[1] % 3 == 0 && SquareSide(s[1] / 3) is { } side => new NpyImageLayout(Int(s[0]), 3, side, side, ChannelsLast: false),
            _ => null,
        };
        return layout ?? throw new InvalidDataException(
            $"{source} has image shape ({string.Join(", ", s)}); expected (N, H, W, C) or (N, C, H, W) with C = 1 or 3, (N, H, W), or flattened (N, H*W) / (N, 3*H*W) square images.");
    }

    /// <summary>Reads an integer label vector (shape (N,) or (N, 1)) that follows its header.</summary>
    public static long[] ReadLabels(Stream stream, NpyHeader header, string source)
    {
        if (header.Kind is not ('i' or 'u') || header.ItemSize is not (1 or 2 or 4 or 8))
            throw new InvalidDataException($"{source} holds '{header.Descr}' labels; they must be integers ('<i8', '<i4', '|u1', ...).");
        if (header.ItemSize > 1 && header.Descr[0] == '>')
            throw new InvalidDataException($"{source} holds big-endian labels ('{header.Descr}'); save them little-endian (astype('<i8')).");
        if (header.Shape.Length is not (1 or 2) || header.Shape.Length == 2 && header.Shape[1] != 1)
            throw new InvalidDataException($"{source} has label shape ({string.Join(", ", header.Shape)}); labels must be (N,) or (N, 1).");

        var labels = new long[Int(header.Shape[0])];
        var bytes = new byte[labels.Length * header.ItemSize];
        ReadData(stream, bytes, source);
        var signed = header.Kind == 'i';
        for (var i = 0; i < labels.Length; i++)
        {
            var item = bytes.AsSpan(i * header.ItemSize, header.ItemSize);
            labels[i] = (header.ItemSize, signed) switch
            {
                (1, true) => (sbyte)item[0],
                (1, false) => item[0],
                (2, true) => BinaryPrimitives.ReadInt16LittleEndian(item),
                (2, false) => BinaryPrimitives.ReadUInt16LittleEndian(item),
                (4, true) => BinaryPrimitives.ReadInt32LittleEndian(item),
                (4, false) => BinaryPrimitives.ReadUInt32LittleEndian(item),
                (8, true) => BinaryPrimitives.ReadInt64LittleEndian(item),
                _ => checked((long)BinaryPrimitives.ReadUInt64LittleEndian(item)),
            };
            if (labels[i] < 0) throw new InvalidDataException($"{source}: label {labels[i]} of example {i} is negative.");
        }
        return labels;
    }

    public static long[] ReadLabels(string path)
    {
        using var file = OpenFile(path);
        return ReadLabels(file, ReadHeader(file, path), path);
    }

    /// <summary>
    /// Reads a pair of .npy files (uint8 images, integer labels). Labels starting at 1 are shifted
    /// to start at 0; the class count is the largest label + 1.
    /// </summary>
    public static ImageDataset ReadDataset(string imagesPath, string labelsPath, string name)
    {
        ImageDataset.Builder builder;
        using (var file = OpenFile(imagesPath)) builder = ReadImages(file, ReadHeader(file, imagesPath), imagesPath, name);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != builder.Count)
            throw new InvalidDataException($"{imagesPath} holds {builder.Count} images but {labelsPath} holds {labels.Length} labels.");
        var classCount = LabelBase.ToZeroBased([labels]);
        labels.CopyTo(builder.LabelBuffer);
        return builder.Build(classCount);
    }

    /// <summary>Reads the images that follow <paramref name="header"/> into N x C x H x W storage; labels come later.</summary>
    internal static ImageDataset.Builder ReadImages(Stream stream, NpyHeader header, string source, string name)
    {
        var layout = ImageLayoutOf(header, source);
        // The class count is only known once every split's labels are read; Build() is given it then.
        var builder = new ImageDataset.Builder(name, layout.Count, layout.Channels, layout.Height, layout.Width, classCount: 1);
        try
        {
            if (!layout.ChannelsLast || layout.Channels == 1) builder.ReadImages(stream);
            else ReadChannelsLast(stream, layout, builder);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{source} is truncated: its header declares shape ({string.Join(", ", header.Shape)}) but the data ends sooner.");
        }
        return builder;
    }

    // Reads a block of H x W x C images at a time and transposes each to C x H x W.
    private static void ReadChannelsLast(Stream stream, NpyImageLayout layout, ImageDataset.Builder builder)
    {
        var imageSize = builder.ImageSize;
        var plane = layout.Height * layout.Width;
        var channels = layout.Channels;
        var imagesPerBlock = Math.Max(1, (1 << 22) / imageSize);
        var block = ArrayPool<byte>.Shared.Rent(imagesPerBlock * imageSize);
        try
        {
            for (var first = 0; first < layout.Count; first += imagesPerBlock)
            {
                var n = Math.Min(imagesPerBlock, layout.Count - first);
                stream.ReadExactly(block, 0, n * imageSize);
                for (var k = 0; k < n; k++)
                {
                    var source = block.AsSpan(k * imageSize, imageSize);
                    var target = builder.ImageBuffer(first + k);
                    for (var p = 0; p < plane; p++)
                        for (var c = 0; c < channels; c++)
                            target[c * plane + p] = source[p * channels + c];
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    private static void RequireCOrder(NpyHeader header, string source)
    {
        if (header.FortranOrder && header.Shape.Count(d => d > 1) > 1)
            throw new InvalidDataException($"{source} is stored in Fortran order; save it in C order (np.ascontiguousarray).");
    }

    private static void ReadData(Stream stream, byte[] data, string source)
    {
        try
        {
            stream.ReadExactly(data);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{source} is truncated: it ends before its {data.Length} data bytes.");
        }
    }

    private static FileStream OpenFile(string path) =>
        File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16)
            : throw new DatasetNotFoundException($"{path} does not exist.", path);

    private static int? SquareSide(long length)
    {
        var side = (long)Math.Round(Math.Sqrt(length));
        return side > 0 && side * side == length ? (int)side : null;
    }

    private static int Int(long size) => size is >= 0 and <= int.MaxValue
        ? (int)size
        : throw new InvalidDataException($"Array dimension {size} is out of range.");
}
