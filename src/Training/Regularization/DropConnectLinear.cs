using Tracker.Shared;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Regularization;

/// <summary>The nonlinearity applied to a layer's output (inside a DropConnect layer, so Gaussian inference can sample before it).</summary>
public enum LayerActivation
{
    Identity,
    ReLU,
    GELU,
}

/// <summary>
/// DropConnect (Wan et al. 2013): a linear layer whose weights, not activations, are masked.
/// <see cref="Rate"/> is the probability of DROPPING a weight; the paper's p is the keep probability,
/// here <see cref="KeepProbability"/> = 1 - rate. Training computes a((W ⊙ M) v + b) with
/// M ~ Bernoulli(keep) and no rescaling; one mask serves the whole batch (each example's output has
/// the same distribution as with its own mask, at a fraction of the memory). The bias is never masked.
/// Inference either uses the mean a(keep·W v + b), or the paper's moment matching: u ~ N(keep·W v + b,
/// keep(1-keep)(W∘W)(v∘v)) sampled <see cref="Samples"/> times, a(u) averaged.
/// </summary>
public sealed class DropConnectLinear : Module<Tensor, Tensor>
{
    private double _rate;
    private int _samples;

    public DropConnectLinear(long inFeatures, long outFeatures, double rate, DropConnectInference inference = DropConnectInference.Gaussian,
        int samples = 16, LayerActivation activation = LayerActivation.Identity, bool hasBias = true, Device? device = null)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Rate = rate;
        Inference = inference;
        Samples = samples;
        Activation = activation;
        // Linear's initialisation, so swapping a Linear for this layer changes nothing but the masking.
        weight = register_parameter(nameof(weight), new Parameter(Linear.InitialValues([outFeatures, inFeatures], inFeatures, device)));
        if (hasBias) bias = register_parameter(nameof(bias), new Parameter(Linear.InitialValues([outFeatures], inFeatures, device)));
    }

    public long InFeatures { get; }

    public long OutFeatures { get; }

    public Parameter weight { get; }

    public Parameter? bias { get; }

    /// <summary>Probability of dropping each weight, in [0, 1).</summary>
    public double Rate
    {
        get => _rate;
        set => _rate = value is >= 0 and < 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Rate), value, "DropConnect rate (drop probability) must be in [0, 1)");
    }

    public double KeepProbability => 1 - _rate;

    public DropConnectInference Inference { get; set; }

    /// <summary>Gaussian draws averaged per activation at inference.</summary>
    public int Samples
    {
        get => _samples;
        set => _samples = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Samples), value, "Gaussian inference needs at least 1 sample");
    }

    public LayerActivation Activation { get; }

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var output = training ? TrainingForward(input)
            : Inference == DropConnectInference.Mean ? Activate(MeanPreActivation(input))
            : GaussianForward(input);
        return scope.MoveToOuter(output);
    }

    private Tensor TrainingForward(Tensor input)
    {
        if (_rate == 0) return Activate(torch.nn.functional.linear(input, weight, bias));
        var mask = torch.bernoulli(weight, KeepProbability);
        return Activate(torch.nn.functional.linear(input, weight * mask, bias));
    }

    /// <summary>keep·(W v) + b: the expected pre-activation under the training masks.</summary>
    private Tensor MeanPreActivation(Tensor input) => torch.nn.functional.linear(input, weight * KeepProbability, bias);

    private Tensor GaussianForward(Tensor input)
    {
        var mean = MeanPreActivation(input);
        // The average of identity-activated samples has the mean as its expectation: return that exactly.
        if (Activation == LayerActivation.Identity || _rate == 0) return Activate(mean);
        var keep = KeepProbability;
        var variance = torch.nn.functional.linear(input.square(), weight.square()) * (keep * (1 - keep));
        var std = variance.sqrt();
        // One sample at a time: memory stays that of one activation whatever the sample count.
        Tensor? sum = null;
        for (var s = 0; s < _samples; s++)
        {
            using var sampleScope = torch.NewDisposeScope();
            var noise = torch.randn(mean.shape, mean.dtype, mean.device);
            var activated = Activate(mean + std * noise);
            var next = sum is null ? activated : sum + activated;
            sum?.Dispose();
            sum = sampleScope.MoveToOuter(next);
        }
        return sum! / _samples;
    }

    private Tensor Activate(Tensor preActivation) => Activation switch
    {
        LayerActivation.Identity => preActivation,
        LayerActivation.ReLU => preActivation.relu(),
        LayerActivation.GELU => torch.nn.functional.gelu(preActivation),
        _ => throw new InvalidOperationException($"Unknown activation {Activation}."),
    };
}
