using Tracker.Training.Torch.Interop;

namespace Tracker.Training.Torch;

/// <summary>Tensor operations, named as in PyTorch/TorchSharp; each is one native call returning a new tensor.</summary>
public unsafe partial class Tensor
{
    // ---- arithmetic ----

    public Tensor add(Tensor other, double alpha = 1)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_add(Handle, other.Handle, alpha, &result), result);
    }

    public Tensor sub(Tensor other, double alpha = 1)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_sub(Handle, other.Handle, alpha, &result), result);
    }

    public Tensor mul(Tensor other) => Binary(&NativeMethods.trk_mul, other);
    public Tensor div(Tensor other) => Binary(&NativeMethods.trk_div, other);
    public Tensor pow(Tensor exponent) => Binary(&NativeMethods.trk_pow, exponent);
    public Tensor maximum(Tensor other) => Binary(&NativeMethods.trk_maximum, other);
    public Tensor minimum(Tensor other) => Binary(&NativeMethods.trk_minimum, other);
    public Tensor matmul(Tensor other) => Binary(&NativeMethods.trk_matmul, other);

    public Tensor add(double value) => WithScalar(&NativeMethods.trk_add_scalar, value);
    public Tensor mul(double value) => WithScalar(&NativeMethods.trk_mul_scalar, value);
    public Tensor div(double value) => WithScalar(&NativeMethods.trk_div_scalar, value);
    public Tensor pow(double exponent) => WithScalar(&NativeMethods.trk_pow_scalar, exponent);

    public Tensor clamp(double min, double max)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_clamp(Handle, min, max, &result), result);
    }

    public Tensor neg() => Unary(&NativeMethods.trk_neg);
    public Tensor exp() => Unary(&NativeMethods.trk_exp);
    public Tensor log() => Unary(&NativeMethods.trk_log);
    public Tensor sqrt() => Unary(&NativeMethods.trk_sqrt);
    public Tensor abs() => Unary(&NativeMethods.trk_abs);
    public Tensor sign() => Unary(&NativeMethods.trk_sign);
    public Tensor square() => Unary(&NativeMethods.trk_square);
    public Tensor tanh() => Unary(&NativeMethods.trk_tanh);
    public Tensor sigmoid() => Unary(&NativeMethods.trk_sigmoid);
    public Tensor relu() => Unary(&NativeMethods.trk_relu);
    public Tensor isfinite() => Unary(&NativeMethods.trk_isfinite);

    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator +(Tensor a, double b) => a.add(b);
    public static Tensor operator +(double a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, double b) => a.add(-b);
    public static Tensor operator -(double a, Tensor b) => b.WithScalar(&NativeMethods.trk_rsub_scalar, a);
    public static Tensor operator *(Tensor a, double b) => a.mul(b);
    public static Tensor operator *(double a, Tensor b) => b.mul(a);
    public static Tensor operator /(Tensor a, double b) => a.div(b);
    public static Tensor operator -(Tensor a) => a.neg();

    // ---- comparison (results are Bool tensors) ----

    private enum Comparison { Eq = 0, Ne = 1, Lt = 2, Le = 3, Gt = 4, Ge = 5 }

    private Tensor Compare(Tensor other, Comparison op)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_compare(Handle, other.Handle, (int)op, &result), result);
    }

    private Tensor Compare(double other, Comparison op)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_compare_scalar(Handle, other, (int)op, &result), result);
    }

    public Tensor eq(Tensor other) => Compare(other, Comparison.Eq);
    public Tensor ne(Tensor other) => Compare(other, Comparison.Ne);
    public Tensor lt(Tensor other) => Compare(other, Comparison.Lt);
    public Tensor le(Tensor other) => Compare(other, Comparison.Le);
    public Tensor gt(Tensor other) => Compare(other, Comparison.Gt);
    public Tensor ge(Tensor other) => Compare(other, Comparison.Ge);
    public Tensor eq(double other) => Compare(other, Comparison.Eq);
    public Tensor ne(double other) => Compare(other, Comparison.Ne);
    public Tensor lt(double other) => Compare(other, Comparison.Lt);
    public Tensor le(double other) => Compare(other, Comparison.Le);
    public Tensor gt(double other) => Compare(other, Comparison.Gt);
    public Tensor ge(double other) => Compare(other, Comparison.Ge);

    public Tensor masked_fill(Tensor mask, double value)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_masked_fill(Handle, mask.Handle, value, &result), result);
    }

    // ---- in place: these change this tensor and return it ----

    public Tensor add_(Tensor other, double alpha = 1)
    {
        Native.Check(NativeMethods.trk_add_(Handle, other.Handle, alpha));
        return this;
    }

    public Tensor mul_(double value)
    {
        Native.Check(NativeMethods.trk_mul_scalar_(Handle, value));
        return this;
    }

    public Tensor copy_(Tensor source)
    {
        Native.Check(NativeMethods.trk_copy_(Handle, source.Handle));
        return this;
    }

    public Tensor fill_(double value)
    {
        Native.Check(NativeMethods.trk_fill_(Handle, value));
        return this;
    }

    public Tensor zero_() => fill_(0);

    public Tensor uniform_(double low = 0, double high = 1)
    {
        Native.Check(NativeMethods.trk_uniform_(Handle, low, high));
        return this;
    }

    public Tensor normal_(double mean = 0, double std = 1)
    {
        Native.Check(NativeMethods.trk_normal_(Handle, mean, std));
        return this;
    }

    // ---- reductions ----

    private Tensor Reduce(delegate*<IntPtr, long*, int, int, IntPtr*, int> op, ReadOnlySpan<long> dims, bool keepdim)
    {
        IntPtr result;
        fixed (long* d = dims) return Native.Wrap(op(Handle, d, dims.Length, keepdim ? 1 : 0, &result), result);
    }

    public Tensor sum() => Reduce(&NativeMethods.trk_sum, [], false);
    public Tensor sum(long dim, bool keepdim = false) => Reduce(&NativeMethods.trk_sum, [dim], keepdim);
    public Tensor sum(long[] dims, bool keepdim = false) => Reduce(&NativeMethods.trk_sum, dims, keepdim);
    public Tensor mean() => Reduce(&NativeMethods.trk_mean, [], false);
    public Tensor mean(long dim, bool keepdim = false) => Reduce(&NativeMethods.trk_mean, [dim], keepdim);
    public Tensor mean(long[] dims, bool keepdim = false) => Reduce(&NativeMethods.trk_mean, dims, keepdim);
    public Tensor amax() => Reduce(&NativeMethods.trk_amax, [], false);
    public Tensor amax(long dim, bool keepdim = false) => Reduce(&NativeMethods.trk_amax, [dim], keepdim);
    public Tensor amin() => Reduce(&NativeMethods.trk_amin, [], false);
    public Tensor amin(long dim, bool keepdim = false) => Reduce(&NativeMethods.trk_amin, [dim], keepdim);

    public Tensor var(bool unbiased = true) => Var([], unbiased, false);
    public Tensor var(long dim, bool unbiased = true, bool keepdim = false) => Var([dim], unbiased, keepdim);

    private Tensor Var(ReadOnlySpan<long> dims, bool unbiased, bool keepdim)
    {
        IntPtr result;
        fixed (long* d = dims)
            return Native.Wrap(NativeMethods.trk_var(Handle, d, dims.Length, unbiased ? 1 : 0, keepdim ? 1 : 0, &result), result);
    }

    /// <summary>The p-norm of all elements (p = 2: the Euclidean norm).</summary>
    public Tensor norm(double p = 2) => WithScalar(&NativeMethods.trk_norm, p);

    public Tensor argmax(long dim, bool keepdim = false)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_argmax(Handle, dim, keepdim ? 1 : 0, &result), result);
    }

    public Tensor logsumexp(long dim, bool keepdim = false)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_logsumexp(Handle, dim, keepdim ? 1 : 0, &result), result);
    }

    public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true)
    {
        IntPtr values, indices;
        Native.Check(NativeMethods.trk_topk(Handle, k, dim, largest ? 1 : 0, &values, &indices));
        return (new Tensor(values), new Tensor(indices));
    }

    // ---- shape and indexing ----

    private Tensor WithDims(delegate*<IntPtr, long*, int, IntPtr*, int> op, ReadOnlySpan<long> dims)
    {
        IntPtr result;
        fixed (long* d = dims) return Native.Wrap(op(Handle, d, dims.Length, &result), result);
    }

    public Tensor reshape(params long[] newShape) => WithDims(&NativeMethods.trk_reshape, newShape);
    public Tensor view(params long[] newShape) => WithDims(&NativeMethods.trk_view, newShape);
    public Tensor expand(params long[] newShape) => WithDims(&NativeMethods.trk_expand, newShape);
    public Tensor permute(params long[] dims) => WithDims(&NativeMethods.trk_permute, dims);
    public Tensor flip(params long[] dims) => WithDims(&NativeMethods.trk_flip, dims);

    public Tensor transpose(long dim0, long dim1)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_transpose(Handle, dim0, dim1, &result), result);
    }

    public Tensor flatten(long start_dim = 0, long end_dim = -1)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_flatten(Handle, start_dim, end_dim, &result), result);
    }

    public Tensor unsqueeze(long dim)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_unsqueeze(Handle, dim, &result), result);
    }

    public Tensor squeeze(long dim)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_squeeze(Handle, dim, &result), result);
    }

    /// <summary>Elements start..end (exclusive) with a step along one dimension, as a view.</summary>
    public Tensor slice(long dim, long start, long end, long step = 1)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_slice(Handle, dim, start, end, step, &result), result);
    }

    public Tensor narrow(long dim, long start, long length) => slice(dim, start, start + length);

    public Tensor select(long dim, long index)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_select(Handle, dim, index, &result), result);
    }

    /// <summary>The index-th entry along the first dimension.</summary>
    public Tensor this[long index] => select(0, index);

    public Tensor index_select(long dim, Tensor index)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_index_select(Handle, dim, index.Handle, &result), result);
    }

    public Tensor gather(long dim, Tensor index)
    {
        IntPtr result;
        return Native.Wrap(NativeMethods.trk_gather(Handle, dim, index.Handle, &result), result);
    }
}
