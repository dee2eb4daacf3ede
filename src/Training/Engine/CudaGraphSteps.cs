using Tracker.Shared;
using Tracker.Training.Data;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Optim;

namespace Tracker.Training.Engine;

/// <summary>
/// Training steps on a GPU as CUDA graphs: for each batch size and drop rates the step (zeroing gradients, forward,
/// loss, backward, AdamW, the epoch's running totals) is warmed up on a side stream, captured once and then replayed
/// with one launch per step, the batch copied into the graph's own input tensors. A small model's eager step is
/// bound by hundreds of kernel launches and the host's bookkeeping between them; a replay is not.
/// Steps while a drop rate changes every step (linear schedules) run eagerly: each new rate would need a new graph.
/// Dropout stays random under replay: libtorch advances the CUDA generator's offset on every replay.
/// </summary>
public sealed class CudaGraphSteps : IDisposable
{
    private const int WarmupSteps = 2;

    private readonly AdamW _optimizer;
    private readonly Device _device;
    private readonly Action<Tensor, Tensor, int> _trainStep;
    private readonly Dictionary<GraphKey, CapturedStep> _captured = [];
    private readonly Dictionary<GraphKey, (CudaGraph Graph, int WarmedUp)> _warming = [];
    private Tensor[]? _gradients;

    private CudaGraphSteps(AdamW optimizer, Device device, Action<Tensor, Tensor, int> trainStep)
    {
        (_optimizer, _device, _trainStep) = (optimizer, device, trainStep);
        optimizer.UseDeviceState();
    }

    /// <summary>Why this run's steps cannot be captured, or null when they can.</summary>
    public static string? WhyNot(RunConfig config, Device device, bool enabled)
    {
        if (device.Type != DeviceType.CUDA) return "eager (CUDA graphs are for GPUs)";
        if (!enabled) return "eager (CUDA graphs turned off)";
        if (!CudaGraph.IsAvailable) return "eager (this engine's libtorch was built without CUDA graphs)";
        if (config.Optimizer != OptimizerKind.AdamW) return "eager (CUDA graphs capture AdamW steps only)";
        if (config.RDrop is not null) return "eager (R-Drop's second forward pass is not captured)";
        if (config.GradClip is not null) return "eager (gradient clipping reads the norm on the host)";
        if (config.DropConnect is not null) return "eager (DropConnect layers are not captured)";
        if (config.L1 > 0 || config.L2 > 0) return "eager (weight penalties are not captured)";
        return null;
    }

    /// <summary>A runner for the run, or null with the reason in <paramref name="execution"/>; either way <paramref name="execution"/> says how steps run.</summary>
    public static CudaGraphSteps? Create(RunConfig config, Device device, bool enabled, Optimizer optimizer, Action<Tensor, Tensor, int> trainStep,
        out string execution)
    {
        if (WhyNot(config, device, enabled) is { } reason)
        {
            execution = reason;
            return null;
        }
        execution = "CUDA graphs (each batch size and drop rate captured once, then replayed; steps while a drop rate changes run eagerly)";
        return new CudaGraphSteps((AdamW)optimizer, device, trainStep);
    }

    /// <summary>Why capture failed, if it did; the run then goes on eagerly.</summary>
    public string? CaptureFailure { get; private set; }

    /// <summary>
    /// Takes one training step through a graph when it can and returns true; false means the caller runs the step
    /// eagerly. <paramref name="ratesSteady"/>: the drop rates of the next step are this step's.
    /// </summary>
    public bool TryStep(Batch batch, double dropoutRate, double dropPathRate, bool ratesSteady)
    {
        if (!ratesSteady || CaptureFailure is not null) return false;
        var key = new GraphKey(batch.Size, dropoutRate, dropPathRate);
        if (_captured.TryGetValue(key, out var captured))
        {
            captured.Replay(batch, _optimizer);
            return true;
        }

        var (graph, warmedUp) = _warming.TryGetValue(key, out var warming) ? warming : (new CudaGraph(_device), 0);
        if (warmedUp < WarmupSteps)
        {
            // An eager step on the graph's stream, so per-stream state exists before capture.
            _warming[key] = (graph, warmedUp + 1);
            _optimizer.StageLearningRate();
            graph.Enter();
            try
            {
                _trainStep(batch.Images, batch.Labels, batch.Size);
            }
            finally
            {
                graph.Leave();
            }
            return true;
        }

        _warming.Remove(key);
        var stepCount = _optimizer.StepCount;
        try
        {
            captured = CapturedStep.Capture(graph, batch, _optimizer, _trainStep);
        }
        catch (TorchException error)
        {
            // Nothing captured has run, so eager steps can carry on from exactly here.
            _optimizer.StepCount = stepCount;
            graph.Dispose();
            CaptureFailure = error.Message;
            return false;
        }
        _captured[key] = captured;
        // Every graph accumulates into the gradients that existed at capture; keep them alive and attached.
        _gradients ??= _optimizer.Parameters.Select(p => p.grad?.DetachFromDisposeScope()
            ?? throw new InvalidOperationException($"A parameter had no gradient after warm-up.")).ToArray();
        captured.Replay(batch: null, _optimizer); // capture only recorded the step: run it
        return true;
    }

    /// <summary>Attaches the graphs' gradient tensors again after something cleared or replaced the parameters' gradients.</summary>
    public void RestoreGradients()
    {
        if (_gradients is null) return;
        for (var i = 0; i < _gradients.Length; i++) _optimizer.Parameters[i].SetGrad(_gradients[i]);
    }

    public void Dispose()
    {
        foreach (var captured in _captured.Values) captured.Dispose();
        foreach (var (graph, _) in _warming.Values) graph.Dispose();
        foreach (var gradient in _gradients ?? []) gradient.Dispose();
        _captured.Clear();
        _warming.Clear();
    }

    private readonly record struct GraphKey(int BatchSize, double DropoutRate, double DropPathRate);

    /// <summary>A captured step and the input tensors it reads the batch from.</summary>
    private sealed class CapturedStep(CudaGraph graph, Tensor images, Tensor labels) : IDisposable
    {
        public static CapturedStep Capture(CudaGraph graph, Batch batch, AdamW optimizer, Action<Tensor, Tensor, int> trainStep)
        {
            var images = batch.Images.clone().DetachFromDisposeScope();
            var labels = batch.Labels.clone().DetachFromDisposeScope();
            optimizer.StageLearningRate();
            graph.Enter();
            try
            {
                graph.BeginCapture();
                try
                {
                    trainStep(images, labels, batch.Size);
                }
                catch
                {
                    try { graph.EndCapture(); } catch (TorchException) { /* the step's own error is the one to report */ }
                    throw;
                }
                graph.EndCapture();
            }
            catch
            {
                images.Dispose();
                labels.Dispose();
                throw;
            }
            finally
            {
                graph.Leave();
            }
            return new CapturedStep(graph, images, labels);
        }

        /// <summary>Copies the batch in (null: the inputs already hold it) and runs the step.</summary>
        public void Replay(Batch? batch, AdamW optimizer)
        {
            if (batch is not null)
            {
                images.copy_(batch.Images);
                labels.copy_(batch.Labels);
                optimizer.StageLearningRate();
                optimizer.StepCount++; // the captured step was counted once, when it was captured
            }
            graph.Replay();
        }

        public void Dispose()
        {
            graph.Dispose();
            images.Dispose();
            labels.Dispose();
        }
    }
}
