using Tracker.Training.Torch.Interop;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Torch.Optim;

/// <summary>AdamW with decoupled weight decay (Loshchilov and Hutter), PyTorch's arithmetic exactly.</summary>
public sealed unsafe class AdamW : Optimizer
{
    private readonly Tensor[] _expAvg, _expAvgSq;
    private Tensor? _deviceLearningRate, _deviceStep;

    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0.01) : base(parameters, lr)
    {
        (Beta1, Beta2, Eps, WeightDecay) = (beta1, beta2, eps, weightDecay);
        _expAvg = StateLike(Parameters);
        _expAvgSq = StateLike(Parameters);
    }

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Eps { get; }

    public double WeightDecay { get; set; }

    /// <summary>
    /// From now on the learning rate and the step count also live in device tensors and each step reads them there,
    /// so a step captured in a CUDA graph replays with the current values (set with <see cref="StageLearningRate"/>
    /// before every step). CUDA builds of the shim only.
    /// </summary>
    public void UseDeviceState()
    {
        if (_deviceStep is not null) return;
        var device = Parameters[0].device;
        _deviceLearningRate = torch.full([], LearningRate, ScalarType.Float32, device).DetachFromDisposeScope();
        _deviceStep = torch.full([], StepCount, ScalarType.Float32, device).DetachFromDisposeScope();
    }

    /// <summary>Copies <see cref="Optimizer.LearningRate"/> to the device for the next step (outside any capture).</summary>
    public void StageLearningRate() => _deviceLearningRate?.fill_(LearningRate);

    public override void step()
    {
        StepCount++;
        var parameters = Tensor.Handles(Parameters);
        var expAvg = Tensor.Handles(_expAvg);
        var expAvgSq = Tensor.Handles(_expAvgSq);
        fixed (IntPtr* p = parameters)
        fixed (IntPtr* m = expAvg)
        fixed (IntPtr* v = expAvgSq)
            Native.Check(_deviceStep is null
                ? NativeMethods.trk_adamw_step(p, m, v, parameters.Length, LearningRate, Beta1, Beta2, Eps, WeightDecay, StepCount)
                : NativeMethods.trk_adamw_step_device(p, m, v, parameters.Length, _deviceLearningRate!.Handle, _deviceStep.Handle,
                    Beta1, Beta2, Eps, WeightDecay));
    }

    public override Dictionary<string, Tensor> StateTensors()
    {
        var state = new Dictionary<string, Tensor>();
        for (var i = 0; i < _expAvg.Length; i++)
        {
            state[$"{i}.exp_avg"] = _expAvg[i];
            state[$"{i}.exp_avg_sq"] = _expAvgSq[i];
        }
        return state;
    }

    public override void Dispose()
    {
        foreach (var tensor in _expAvg.Concat(_expAvgSq)) tensor.Dispose();
        _deviceLearningRate?.Dispose();
        _deviceStep?.Dispose();
        base.Dispose();
    }
}
