using Tracker.Training.Torch.Interop;

namespace Tracker.Training.Torch;

/// <summary>Entry point shaped like TorchSharp's <c>torch</c>: creation, random state, grad mode, devices.</summary>
public static unsafe partial class torch
{
    public static readonly Device CPU = new(DeviceType.CPU);
    public static readonly Device CUDA = new(DeviceType.CUDA);

    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType uint8 = ScalarType.Byte;

    // ---- from .NET arrays (copied; shape defaults to one dimension) ----

    public static Tensor tensor(float[] data, long[]? shape = null) => Tensor.FromSpan<float>(data, shape ?? [data.Length]);
    public static Tensor tensor(double[] data, long[]? shape = null) => Tensor.FromSpan<double>(data, shape ?? [data.Length]);
    public static Tensor tensor(long[] data, long[]? shape = null) => Tensor.FromSpan<long>(data, shape ?? [data.Length]);
    public static Tensor tensor(int[] data, long[]? shape = null) => Tensor.FromSpan<int>(data, shape ?? [data.Length]);
    public static Tensor tensor(byte[] data, long[]? shape = null) => Tensor.FromSpan<byte>(data, shape ?? [data.Length]);
    public static Tensor tensor(bool[] data, long[]? shape = null) => Tensor.FromSpan<bool>(data, shape ?? [data.Length]);
    /// <summary>Copies a span (of a pooled or sliced buffer, say) into a new tensor of the given shape.</summary>
    public static Tensor from_span<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape) where T : unmanaged => Tensor.FromSpan(data, shape);

    /// <summary>A zero-dimensional tensor holding one value.</summary>
    public static Tensor scalar(double value, ScalarType dtype = ScalarType.Float32, Device? device = null) => full([], value, dtype, device);

    // ---- filled ----

    public static Tensor full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var target = device ?? CPU;
        IntPtr result;
        fixed (long* s = shape)
            return Native.Wrap(NativeMethods.trk_full(s, shape.Length, value, (int)dtype, (int)target.Type, target.Index, &result), result);
    }

    public static Tensor zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) => full(shape, 0, dtype, device);
    public static Tensor ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) => full(shape, 1, dtype, device);
    public static Tensor zeros_like(Tensor other) => full(other.shape, 0, other.dtype, other.device);
    public static Tensor ones_like(Tensor other) => full(other.shape, 1, other.dtype, other.device);

    public static Tensor empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var target = device ?? CPU;
        IntPtr result;
        fixed (long* s = shape)
            return Native.Wrap(NativeMethods.trk_empty(s, shape.Length, (int)dtype, (int)target.Type, target.Index, &result), result);
    }

    public static Tensor arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var target = device ?? CPU;
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_arange(start, end, step, (int)dtype, (int)target.Type, target.Index, &result), result);
    }

    // ---- random (all drawn from libtorch's seeded generator) ----

    public static void manual_seed(ulong seed) => Native.Check(NativeMethods.trk_manual_seed(seed));

    /// <summary>The CPU generator's state, for checkpoints.</summary>
    public static Tensor get_rng_state()
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_rng_state_get(&result), result);
    }

    public static void set_rng_state(Tensor state) => Native.Check(NativeMethods.trk_rng_state_set(state.Handle));

    public static Tensor randn(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var target = device ?? CPU;
        IntPtr result;
        fixed (long* s = shape)
            return Native.Wrap(NativeMethods.trk_randn(s, shape.Length, (int)dtype, (int)target.Type, target.Index, &result), result);
    }

    public static Tensor rand(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var target = device ?? CPU;
        IntPtr result;
        fixed (long* s = shape)
            return Native.Wrap(NativeMethods.trk_rand(s, shape.Length, (int)dtype, (int)target.Type, target.Index, &result), result);
    }

    public static Tensor randint(long low, long high, long[] shape, Device? device = null)
    {
        var target = device ?? CPU;
        IntPtr result;
        fixed (long* s = shape)
            return Native.Wrap(NativeMethods.trk_randint(low, high, s, shape.Length, (int)target.Type, target.Index, &result), result);
    }

    public static Tensor randperm(long n, Device? device = null)
    {
        var target = device ?? CPU;
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_randperm(n, (int)target.Type, target.Index, &result), result);
    }

    /// <summary>Samples 1 with each element's probability, 0 otherwise.</summary>
    public static Tensor bernoulli(Tensor probabilities)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_bernoulli(probabilities.Handle, &result), result);
    }

    /// <summary>A tensor shaped like <paramref name="like"/> of independent Bernoulli(p) samples.</summary>
    public static Tensor bernoulli(Tensor like, double p)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_bernoulli_p(like.Handle, p, &result), result);
    }

    // ---- joining ----

    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(&NativeMethods.trk_cat, tensors, dim);
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(&NativeMethods.trk_stack, tensors, dim);

    private static Tensor Join(delegate*<IntPtr*, int, long, IntPtr*, int> op, IReadOnlyList<Tensor> tensors, long dim)
    {
        var handles = Tensor.Handles(tensors);
        IntPtr result;
        fixed (IntPtr* h = handles) return Native.Wrap(op(h, handles.Length, dim, &result), result);
    }

    public static Tensor where(Tensor condition, Tensor a, Tensor b)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_where(condition.Handle, a.Handle, b.Handle, &result), result);
    }

    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);

    // ---- autograd mode and memory scopes ----

    public static bool is_grad_enabled()
    {
        int enabled;
        Native.Check(NativeMethods.trk_grad_enabled(&enabled));
        return enabled != 0;
    }

    public static void set_grad_enabled(bool enabled) => Native.Check(NativeMethods.trk_set_grad_enabled(enabled ? 1 : 0));

    /// <summary>Turns gradient recording off on this thread until disposed (restoring what was there).</summary>
    public static IDisposable no_grad() => new GradModeScope(false);

    public static IDisposable enable_grad() => new GradModeScope(true);

    /// <summary>Opens a scope that frees every tensor created on this thread until it is disposed.</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>Native tensor handles alive in this process: the number leak tests watch.</summary>
    public static long LiveTensorCount => NativeMethods.trk_live_tensors();

    public static void set_num_threads(int threads) => Native.Check(NativeMethods.trk_set_num_threads(threads));

    public static int get_num_threads()
    {
        int threads;
        Native.Check(NativeMethods.trk_get_num_threads(&threads));
        return threads;
    }

    public static class cuda
    {
        public static int device_count()
        {
            long count;
            Native.Check(NativeMethods.trk_cuda_device_count(&count));
            return (int)count;
        }

        /// <summary>True when the linked libtorch was built with CUDA and sees a GPU.</summary>
        public static bool is_available() => device_count() > 0;
    }

    private sealed class GradModeScope : IDisposable
    {
        private readonly bool _previous;
        private bool _disposed;

        public GradModeScope(bool enabled)
        {
            _previous = is_grad_enabled();
            set_grad_enabled(enabled);
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            set_grad_enabled(_previous);
        }
    }
}
