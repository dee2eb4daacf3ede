namespace Tracker.Training.Torch.Modules;

/// <summary>
/// A trainable tensor owned by a module. It never joins a dispose scope: parameters live as long
/// as their module, across every step.
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Consumes <paramref name="data"/> (it is disposed) and becomes a leaf with gradients on.</summary>
    public Parameter(Tensor data, bool requiresGrad = true) : base(TakeLeaf(data), attachToScope: false)
    {
        requires_grad = requiresGrad;
    }

    private static IntPtr TakeLeaf(Tensor data)
    {
        // Detached, so the parameter is a leaf even when data came out of a computation.
        var leaf = data.detach();
        data.Dispose();
        return leaf.ReleaseHandle();
    }
}
