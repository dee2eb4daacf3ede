using Tracker.Training.Torch.Interop;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Torch.Optim;

/// <summary>
/// One parameter group, with per-parameter state tensors owned here (so a checkpoint saves them
/// like any other tensors) and the update arithmetic done natively in one call per step.
/// </summary>
public abstract unsafe class Optimizer : IDisposable
{
    private protected Optimizer(IEnumerable<Parameter> parameters, double lr)
    {
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("The optimizer was given no parameters.", nameof(parameters));
        LearningRate = lr;
    }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Current learning rate; schedules set it before each step.</summary>
    public double LearningRate { get; set; }

    /// <summary>Number of steps taken (PyTorch's "step" state); set when restoring a checkpoint.</summary>
    public long StepCount { get; set; }

    public abstract void step();

    public void zero_grad()
    {
        foreach (var parameter in Parameters) parameter.ClearGrad();
    }

    /// <summary>Zeroes the gradients where they are, keeping their memory (a captured CUDA graph writes there).</summary>
    public void ZeroGradInPlace()
    {
        var handles = Tensor.Handles(Parameters);
        fixed (IntPtr* p = handles) Native.Check(NativeMethods.trk_zero_grads(p, handles.Length));
    }

    /// <summary>Scales gradients so their global L2 norm is at most <paramref name="maxNorm"/>; returns the norm before clipping.</summary>
    public double clip_grad_norm(double maxNorm)
    {
        var handles = Tensor.Handles(Parameters);
        double total;
        fixed (IntPtr* p = handles) Native.Check(NativeMethods.trk_clip_grad_norm(p, handles.Length, maxNorm, &total));
        return total;
    }

    /// <summary>The state tensors by name (owned by the optimizer: do not dispose) plus the step count.</summary>
    public abstract Dictionary<string, Tensor> StateTensors();

    public void save(string path)
    {
        using var step = torch.tensor(new[] { StepCount });
        var state = StateTensors();
        state["step"] = step;
        TensorFile.Save(path, state);
    }

    public void load(string path) => StepCount = TensorFile.Read(path, loaded =>
    {
        if (!loaded.TryGetValue("step", out var step))
            throw new InvalidDataException($"'{path}' does not hold this {GetType().Name}'s state.");
        LoadStateTensors(loaded.Where(t => t.Key != "step").ToDictionary());
        return step.ToInt64();
    });

    /// <summary>Copies saved state into this optimizer's tensors; the names must match exactly.</summary>
    public void LoadStateTensors(IReadOnlyDictionary<string, Tensor> state)
    {
        var own = StateTensors();
        if (state.Count != own.Count || own.Keys.Any(k => !state.ContainsKey(k)))
            throw new InvalidDataException($"The saved state does not match this {GetType().Name} ({own.Count} state tensors expected, {state.Count} found).");
        using var noGrad = torch.no_grad();
        foreach (var (name, tensor) in own) tensor.copy_(state[name]);
    }

    private protected static Tensor[] StateLike(IReadOnlyList<Parameter> parameters) =>
        parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray();

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
