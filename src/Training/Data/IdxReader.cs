using System.Buffers.Binary;
using System.IO.Compression;

namespace Tracker.Training.Data;

/// <summary>An unsigned-byte IDX array: its dimensions and its elements in row-major order.</summary>
public sealed record IdxArray(int[] Shape, byte[] Data);

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST (big-endian header: two zero bytes, a type
/// code, the rank, then one int32 per dimension), gzip-compressed or raw; only unsigned bytes,
/// the type every image and label file of those sets uses.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByteType = 0x08;

    public static IdxArray Read(string path)
    {
        using var file = OpenMaybeGzip(path);
        return Read(file, path);
    }

    /// <summary>Parses one IDX array; <paramref name="source"/> names the data in errors.</summary>
    public static IdxArray Read(Stream stream, string source)
    {
        Span<byte> magic = stackalloc byte[4];
        ReadHeaderBytes(stream, magic, source);
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException($"{source} is not an IDX file: it starts with bytes {magic[0]:x2} {magic[1]:x2}, where IDX has 00 00.");
        if (magic[2] != UnsignedByteType)
            throw new InvalidDataException($"{source} holds IDX type 0x{magic[2]:x2}; only unsigned bytes (0x08) are supported.");
        var rank = magic[3];
        if (rank is < 1 or > 4) throw new InvalidDataException($"{source} declares {rank} dimensions; expected 1 to 4.");

        var shape = new int[rank];
        Span<byte> dimension = stackalloc byte[4];
        long count = 1;
        for (var d = 0; d < rank; d++)
        {
            ReadHeaderBytes(stream, dimension, source);
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(dimension);
            if (shape[d] < 0) throw new InvalidDataException($"{source} declares a negative dimension {shape[d]}.");
            count *= shape[d];
        }
        if (count > Array.MaxLength) throw new InvalidDataException($"{source} declares {count} elements, more than one array can hold.");

        var data = GC.AllocateUninitializedArray<byte>((int)count);
        try
        {
            stream.ReadExactly(data);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{source} is truncated: its header declares shape [{string.Join(", ", shape)}] ({count} bytes of data) but the file ends sooner.");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source} is a damaged gzip file: {e.Message}", e);
        }
        return new IdxArray(shape, data);
    }

    /// <summary>Pairs an N x H x W image file with its N labels into a one-channel dataset.</summary>
    public static ImageDataset ReadDataset(string imagesPath, string labelsPath, string name, int classCount)
    {
        var images = Read(imagesPath);
        var labels = Read(labelsPath);
        if (images.Shape.Length != 3)
            throw new InvalidDataException($"{imagesPath} has shape [{string.Join(", ", images.Shape)}]; images must be N x H x W.");
        if (labels.Shape.Length != 1)
            throw new InvalidDataException($"{labelsPath} has shape [{string.Join(", ", labels.Shape)}]; labels must be one-dimensional.");
        if (labels.Shape[0] != images.Shape[0])
            throw new InvalidDataException($"{imagesPath} holds {images.Shape[0]} images but {labelsPath} holds {labels.Shape[0]} labels.");

        var labelValues = new long[labels.Data.Length];
        for (var i = 0; i < labelValues.Length; i++)
        {
            labelValues[i] = labels.Data[i];
            if (labelValues[i] >= classCount)
                throw new InvalidDataException($"{labelsPath}: label {labelValues[i]} of example {i} is outside 0..{classCount - 1}.");
        }
        return new ImageDataset(name, images.Data, labelValues, 1, images.Shape[1], images.Shape[2], classCount);
    }

    private static void ReadHeaderBytes(Stream stream, Span<byte> buffer, string source)
    {
        int read;
        try
        {
            read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source} is a damaged gzip file: {e.Message}", e);
        }
        if (read < buffer.Length) throw new InvalidDataException($"{source} is too short to hold an IDX header.");
    }

    /// <summary>Opens a file, decompressing it when it starts with the gzip signature (whatever its name).</summary>
    internal static Stream OpenMaybeGzip(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        Span<byte> signature = stackalloc byte[2];
        var read = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && signature[0] == 0x1f && signature[1] == 0x8b
            ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16)
            : file;
    }
}
