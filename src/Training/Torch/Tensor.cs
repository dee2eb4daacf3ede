using Tracker.Training.Torch.Interop;

namespace Tracker.Training.Torch;

/// <summary>
/// A libtorch tensor. It owns one native handle, freed by <see cref="Dispose"/> or by the
/// <see cref="DisposeScope"/> it was created in. There is deliberately no finalizer: native memory
/// is released at a known point, never whenever the garbage collector gets round to it.
/// </summary>
public unsafe partial class Tensor : IDisposable
{
    private IntPtr _handle;

    internal Tensor(IntPtr handle) : this(handle, attachToScope: true)
    {
    }

    private protected Tensor(IntPtr handle, bool attachToScope)
    {
        _handle = handle;
        if (attachToScope) DisposeScope.Innermost?.Attach(this);
    }

    internal DisposeScope? OwningScope { get; set; }

    public bool IsDisposed => _handle == IntPtr.Zero;

    internal IntPtr Handle => _handle != IntPtr.Zero
        ? _handle
        : throw new ObjectDisposedException(nameof(Tensor), "This tensor was disposed (directly or by its dispose scope) and cannot be used again.");

    public void Dispose()
    {
        var handle = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (handle != IntPtr.Zero) NativeMethods.trk_free(handle);
        OwningScope = null;
    }

    /// <summary>Swaps in another native tensor, keeping this object's identity (parameters moved between devices).</summary>
    internal void ReplaceHandle(Tensor source)
    {
        var newHandle = source.ReleaseHandle();
        var old = Interlocked.Exchange(ref _handle, newHandle);
        if (old != IntPtr.Zero) NativeMethods.trk_free(old);
    }

    /// <summary>Gives up the native handle to a new owner; this object becomes disposed.</summary>
    internal IntPtr ReleaseHandle()
    {
        var handle = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        OwningScope = null;
        return handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(Tensor));
    }

    /// <summary>Takes this tensor out of its dispose scope: the caller now owns it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        OwningScope = null;
        return this;
    }

    /// <summary>Moves this tensor into the scope that encloses its current one.</summary>
    public Tensor MoveToOuterDisposeScope() => OwningScope is { } scope ? scope.MoveToOuter(this) : this;

    // ---- information ----

    public long[] shape
    {
        get
        {
            var rank = dim();
            var dims = new long[rank];
            fixed (long* p = dims) Native.Check(NativeMethods.trk_shape(Handle, p, (int)rank));
            return dims;
        }
    }

    public long dim()
    {
        long rank;
        Native.Check(NativeMethods.trk_ndim(Handle, &rank));
        return rank;
    }

    public long size(int dimension)
    {
        var dims = shape;
        return dims[dimension < 0 ? dims.Length + dimension : dimension];
    }

    public long numel()
    {
        long count;
        Native.Check(NativeMethods.trk_numel(Handle, &count));
        return count;
    }

    public ScalarType dtype
    {
        get
        {
            int code;
            Native.Check(NativeMethods.trk_dtype(Handle, &code));
            return (ScalarType)code;
        }
    }

    public Device device
    {
        get
        {
            int type, index;
            Native.Check(NativeMethods.trk_device(Handle, &type, &index));
            return new Device((DeviceType)type, index);
        }
    }

    public override string ToString() => IsDisposed
        ? "Tensor (disposed)"
        : $"Tensor [{string.Join(", ", shape)}], {dtype}, {device}";

    // ---- data out ----

    /// <summary>Copies the elements (row-major, moved to the CPU if needed) into a new array.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var expected = ScalarTypes.Of<T>();
        if (dtype != expected)
            throw new InvalidOperationException($"Tensor holds {dtype}; ToArray<{typeof(T).Name}> needs {expected}. Convert with .to(ScalarType.{expected}) first.");
        var result = new T[numel()];
        fixed (T* p = result) Native.Check(NativeMethods.trk_copy_to_buffer(Handle, p, (long)result.Length * sizeof(T)));
        return result;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double ToDouble()
    {
        double value;
        Native.Check(NativeMethods.trk_item(Handle, &value));
        return value;
    }

    public float ToSingle() => (float)ToDouble();

    /// <summary>The value of a one-element tensor; Int64 ones are copied, not routed through a double's 53 bits.</summary>
    public long ToInt64()
    {
        if (dtype != ScalarType.Int64 || numel() != 1) return (long)ToDouble();
        long value;
        Native.Check(NativeMethods.trk_copy_to_buffer(Handle, &value, sizeof(long)));
        return value;
    }

    // ---- conversion ----

    public Tensor to(ScalarType type) => To((int)type, device);

    public Tensor to(Device target) => To((int)dtype, target);

    public Tensor to(ScalarType type, Device target) => To((int)type, target);

    private Tensor To(int type, Device target)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_to(Handle, type, (int)target.Type, target.Index, &result), result);
    }

    public Tensor cpu() => to(new Device(DeviceType.CPU));

    public Tensor clone() => Unary(&NativeMethods.trk_clone);

    public Tensor contiguous() => Unary(&NativeMethods.trk_contiguous);

    public Tensor detach() => Unary(&NativeMethods.trk_detach);

    /// <summary>A second handle to the same storage (both must be disposed).</summary>
    public Tensor alias() => Unary(&NativeMethods.trk_alias);

    // ---- autograd ----

    public bool requires_grad
    {
        get
        {
            int flag;
            Native.Check(NativeMethods.trk_requires_grad(Handle, &flag));
            return flag != 0;
        }
        set => Native.Check(NativeMethods.trk_set_requires_grad(Handle, value ? 1 : 0));
    }

    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    /// <summary>The accumulated gradient as a new handle, or null when none has been computed.</summary>
    public Tensor? grad
    {
        get
        {
            IntPtr result;
            Native.Check(NativeMethods.trk_grad(Handle, &result));
            return result == IntPtr.Zero ? null : new Tensor(result);
        }
    }

    /// <summary>Drops the accumulated gradient (PyTorch's zero_grad(set_to_none=True)).</summary>
    public void ClearGrad() => Native.Check(NativeMethods.trk_clear_grad(Handle));

    /// <summary>Makes <paramref name="gradient"/> (the same memory, not a copy) this tensor's gradient.</summary>
    public void SetGrad(Tensor gradient) => Native.Check(NativeMethods.trk_set_grad(Handle, gradient.Handle));

    public void backward(Tensor? gradient = null, bool retain_graph = false) =>
        Native.Check(NativeMethods.trk_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retain_graph ? 1 : 0));

    // ---- helpers for the generated-looking op wrappers ----

    private Tensor Unary(delegate*<IntPtr, IntPtr*, int> op)
    {
        IntPtr result;
        return Native.Wrap(op(Handle, &result), result);
    }

    private Tensor Binary(delegate*<IntPtr, IntPtr, IntPtr*, int> op, Tensor other)
    {
        IntPtr result;
        return Native.Wrap(op(Handle, other.Handle, &result), result);
    }

    private Tensor WithScalar(delegate*<IntPtr, double, IntPtr*, int> op, double value)
    {
        IntPtr result;
        return Native.Wrap(op(Handle, value, &result), result);
    }

    internal static Tensor FromSpan<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> dims) where T : unmanaged
    {
        long count = 1;
        foreach (var d in dims) count *= d;
        if (count != data.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", dims.ToArray())}] needs {count} elements but {data.Length} were given.");
        IntPtr result;
        fixed (T* p = data)
        fixed (long* s = dims)
            return Native.Wrap(NativeMethods.trk_from_data(p, (int)ScalarTypes.Of<T>(), s, dims.Length, &result), result);
    }

    internal static IntPtr[] Handles(IReadOnlyList<Tensor> tensors)
    {
        var handles = new IntPtr[tensors.Count];
        for (var i = 0; i < handles.Length; i++) handles[i] = tensors[i].Handle;
        return handles;
    }

    internal static string Describe(ReadOnlySpan<long> values) => "[" + string.Join(", ", values.ToArray()) + "]";

    internal static int SizeOf(ScalarType type) => type switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 => 8,
        _ => throw new NotSupportedException($"Unknown element type {type}."),
    };

    /// <summary>Raw bytes of a CPU copy, for serialization.</summary>
    internal byte[] ToBytes()
    {
        var bytes = new byte[numel() * SizeOf(dtype)];
        fixed (byte* p = bytes) Native.Check(NativeMethods.trk_copy_to_buffer(Handle, p, bytes.Length));
        return bytes;
    }

    internal static Tensor FromBytes(ReadOnlySpan<byte> bytes, ScalarType type, ReadOnlySpan<long> dims)
    {
        long count = 1;
        foreach (var d in dims) count *= d;
        if (count * SizeOf(type) != bytes.Length)
            throw new InvalidDataException($"Tensor of {type} {Describe(dims)} needs {count * SizeOf(type)} bytes, found {bytes.Length}.");
        IntPtr result;
        fixed (byte* p = bytes)
        fixed (long* s = dims)
            return Native.Wrap(NativeMethods.trk_from_data(p, (int)type, s, dims.Length, &result), result);
    }
}
