using Tracker.Training.Torch.Interop;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Torch.Optim;

/// <summary>Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay, as PyTorch's SGD.</summary>
public sealed unsafe class SGD : Optimizer
{
    private readonly Tensor[] _momentumBuffers;

    public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0,
        bool nesterov = false) : base(parameters, lr)
    {
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum requires a momentum > 0 and zero dampening.");
        (Momentum, Dampening, WeightDecay, Nesterov) = (momentum, dampening, weightDecay, nesterov);
        _momentumBuffers = momentum != 0 ? StateLike(Parameters) : [];
    }

    public double Momentum { get; }

    public double Dampening { get; }

    public double WeightDecay { get; set; }

    public bool Nesterov { get; }

    public override void step()
    {
        StepCount++;
        var parameters = Tensor.Handles(Parameters);
        var buffers = Tensor.Handles(_momentumBuffers);
        fixed (IntPtr* p = parameters)
        fixed (IntPtr* b = buffers)
            Native.Check(NativeMethods.trk_sgd_step(p, b, parameters.Length, LearningRate, Momentum, Dampening, WeightDecay, Nesterov ? 1 : 0, StepCount));
    }

    public override Dictionary<string, Tensor> StateTensors()
    {
        var state = new Dictionary<string, Tensor>();
        for (var i = 0; i < _momentumBuffers.Length; i++) state[$"{i}.momentum_buffer"] = _momentumBuffers[i];
        return state;
    }

    public override void Dispose()
    {
        foreach (var tensor in _momentumBuffers) tensor.Dispose();
        base.Dispose();
    }
}
