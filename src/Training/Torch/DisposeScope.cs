namespace Tracker.Training.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost scope, and frees them when
/// disposed: one scope per training step keeps a loop from leaking native memory without relying
/// on the garbage collector. Results that must outlive the step are moved out explicitly.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _innermost;

    private readonly DisposeScope? _outer;
    private readonly List<Tensor> _owned = [];
    private bool _disposed;

    internal DisposeScope()
    {
        _outer = _innermost;
        _innermost = this;
    }

    internal static DisposeScope? Innermost => _innermost;

    internal void Attach(Tensor tensor)
    {
        _owned.Add(tensor);
        tensor.OwningScope = this;
    }

    /// <summary>Hands the tensor to the enclosing scope (or to the caller, when there is none).</summary>
    public T MoveToOuter<T>(T tensor) where T : Tensor
    {
        tensor.OwningScope = null;
        _outer?.Attach(tensor);
        return tensor;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var tensor in _owned)
            if (tensor.OwningScope == this) tensor.Dispose();
        _owned.Clear();
        // Scopes nest like `using` blocks; restoring the outer one keeps later tensors owned.
        if (_innermost == this) _innermost = _outer;
    }
}
