namespace Tracker.Training.Torch;

/// <summary>Element types; the values are c10::ScalarType's, so they cross the ABI unchanged.</summary>
public enum ScalarType
{
    Byte = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Float16 = 5,
    Float32 = 6,
    Float64 = 7,
    Bool = 11,
    BFloat16 = 15,
}

internal static class ScalarTypes
{
    public static ScalarType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : typeof(T) == typeof(long) ? ScalarType.Int64
        : typeof(T) == typeof(int) ? ScalarType.Int32
        : typeof(T) == typeof(short) ? ScalarType.Int16
        : typeof(T) == typeof(byte) ? ScalarType.Byte
        : typeof(T) == typeof(sbyte) ? ScalarType.Int8
        : typeof(T) == typeof(bool) ? ScalarType.Bool
        : throw new NotSupportedException($"No tensor element type for {typeof(T).Name}.");
}
