using System.Text;

namespace Tracker.Training.Torch;

/// <summary>
/// Saves and loads named tensors bit for bit: "TRKT", a version, then per tensor its name,
/// element type, shape and raw little-endian bytes. Written to a temporary file and renamed, so a
/// crash mid-save never leaves a half-written checkpoint behind.
/// </summary>
public static class TensorFile
{
    private const uint Magic = 0x544B5254; // "TRKT" little-endian
    private const int Version = 1;

    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write(Magic);
            writer.Write(Version);
            writer.Write(tensors.Count);
            foreach (var (name, tensor) in tensors)
            {
                writer.Write(name);
                writer.Write((int)tensor.dtype);
                var shape = tensor.shape;
                writer.Write(shape.Length);
                foreach (var d in shape) writer.Write(d);
                var bytes = tensor.ToBytes();
                writer.Write((long)bytes.Length);
                writer.Write(bytes);
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Loads a file, hands its tensors to <paramref name="use"/>, and disposes them afterwards, whatever happens.</summary>
    public static T Read<T>(string path, Func<IReadOnlyDictionary<string, Tensor>, T> use)
    {
        var tensors = Load(path);
        try
        {
            return use(tensors);
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
    }

    public static void Read(string path, Action<IReadOnlyDictionary<string, Tensor>> use) => Read(path, tensors =>
    {
        use(tensors);
        return true;
    });

    /// <summary>Loads every tensor onto the CPU; the caller owns (and disposes) them.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No tensor file at '{path}'.", path);
        var result = new Dictionary<string, Tensor>();
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            if (reader.ReadUInt32() != Magic) throw new InvalidDataException($"'{path}' is not a Tracker tensor file.");
            var version = reader.ReadInt32();
            if (version != Version) throw new InvalidDataException($"'{path}' has format version {version}; this build reads {Version}.");
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var type = (ScalarType)reader.ReadInt32();
                var shape = new long[reader.ReadInt32()];
                for (var d = 0; d < shape.Length; d++) shape[d] = reader.ReadInt64();
                var length = reader.ReadInt64();
                var bytes = reader.ReadBytes(checked((int)length));
                if (bytes.Length != length) throw new InvalidDataException($"'{path}' ends inside tensor '{name}'.");
                result[name] = Tensor.FromBytes(bytes, type, shape).DetachFromDisposeScope();
            }
            return result;
        }
        catch (EndOfStreamException)
        {
            foreach (var tensor in result.Values) tensor.Dispose();
            throw new InvalidDataException($"'{path}' is truncated.");
        }
        catch
        {
            foreach (var tensor in result.Values) tensor.Dispose();
            throw;
        }
    }
}
