using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Tracker.Training.Tests.Data;

/// <summary>A fresh temporary folder, deleted with everything in it when disposed.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tracker-data-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}

/// <summary>Writes the file formats byte by byte, independently of the readers under test.</summary>
internal static class Formats
{
    public static byte[] Idx(byte[] data, params int[] shape)
    {
        var bytes = new byte[4 + 4 * shape.Length + data.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)shape.Length;
        for (var d = 0; d < shape.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), shape[d]);
        data.CopyTo(bytes, 4 + 4 * shape.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(data);
        return output.ToArray();
    }

    /// <summary>A .npy file as numpy writes it: magic, version, little-endian header length, a dict padded with spaces to 64 bytes, data.</summary>
    public static byte[] Npy(string descr, long[] shape, byte[] data, int majorVersion = 1)
    {
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        var prefixLength = majorVersion == 1 ? 10 : 12;
        var total = prefixLength + dict.Length + 1;
        var padded = dict + new string(' ', (64 - total % 64) % 64) + "\n";

        using var output = new MemoryStream();
        output.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)majorVersion, 0]);
        var length = new byte[majorVersion == 1 ? 2 : 4];
        if (majorVersion == 1) BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)padded.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)padded.Length);
        output.Write(length);
        output.Write(Encoding.ASCII.GetBytes(padded));
        output.Write(data);
        return output.ToArray();
    }

    public static byte[] Int64s(params long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    public static byte[] Int32s(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    public static void Npz(string path, CompressionLevel compression, params (string Key, byte[] Npy)[] arrays)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (key, npy) in arrays)
        {
            using var entry = zip.CreateEntry(key + ".npy", compression).Open();
            entry.Write(npy);
        }
    }

    /// <summary>Bytes 0, 1, 2, ... wrapping at 256: every pixel position distinguishable in small arrays.</summary>
    public static byte[] Counting(int length, int offset = 0) => Enumerable.Range(0, length).Select(i => (byte)((i + offset) % 256)).ToArray();
}
