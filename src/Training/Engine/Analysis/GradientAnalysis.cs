using Tracker.Training.Data;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Engine.Analysis;

/// <summary>
/// The paper's analysis metrics (Liu et al. 2023, Figures 6-8). Cheap ones every time they are
/// asked for: the global gradient L2 norm and the L2 distance of the weights from their initial
/// values. Expensive ones on request: gradient direction variance (mean pairwise cosine distance
/// among G mini-batch gradients at the current weights, dropout active) and gradient direction
/// error (mean cosine distance from those gradients to the whole-training-set gradient computed
/// in inference mode; a subset may stand in for the whole set).
/// </summary>
public sealed class GradientAnalysis : IDisposable
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly Tensor[] _initial;

    /// <summary>Snapshots the parameters now: distances are measured from these values.</summary>
    public GradientAnalysis(IReadOnlyList<Parameter> parameters)
    {
        _parameters = parameters;
        using (torch.no_grad())
            _initial = parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
    }

    /// <summary>The initial weights, for checkpoints (a resumed run measures from the same origin).</summary>
    public IReadOnlyList<Tensor> InitialWeights => _initial;

    public void RestoreInitialWeights(IReadOnlyList<Tensor> saved)
    {
        if (saved.Count != _initial.Length) throw new InvalidDataException($"Expected {_initial.Length} initial weights, found {saved.Count}.");
        using var noGrad = torch.no_grad();
        for (var i = 0; i < _initial.Length; i++) _initial[i].copy_(saved[i]);
    }

    /// <summary>√Σ‖g‖² over every parameter that has a gradient; 0 when none has.</summary>
    public double GradientNorm()
    {
        using var scope = torch.NewDisposeScope();
        var squares = _parameters.Select(p => p.grad).OfType<Tensor>().Select(SumOfSquares).ToList();
        return squares.Count == 0 ? 0 : Math.Sqrt(torch.stack(squares).sum().ToDouble());
    }

    /// <summary>√Σ‖w − w₀‖² over every parameter.</summary>
    public double DistanceFromInit()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var squares = _parameters.Select((p, i) => SumOfSquares(p - _initial[i])).ToList();
        return Math.Sqrt(torch.stack(squares).sum().ToDouble());
    }

    // Per tensor in float32 as before, summed across tensors in float64, read back once: on a GPU one wait per
    // metric instead of one per parameter tensor.
    private static Tensor SumOfSquares(Tensor tensor) => tensor.square().sum().to(ScalarType.Float64);

    /// <summary>
    /// Direction variance over <paramref name="miniBatches"/> (G ≥ 2) and direction error against
    /// the gradient over <paramref name="wholeSet"/>. Leaves the parameters' gradients cleared,
    /// the model in the mode it was in, and libtorch's random stream where it was, so measuring
    /// never changes the run being measured.
    /// </summary>
    public (double Variance, double Error) GradientDirections(Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss,
        IReadOnlyList<Batch> miniBatches, IReadOnlyList<Batch> wholeSet)
    {
        if (miniBatches.Count < 2) throw new ArgumentException("Direction variance needs at least two mini-batches.", nameof(miniBatches));
        if (wholeSet.Count == 0) throw new ArgumentException("The whole-set gradient needs at least one batch.", nameof(wholeSet));
        var wasTraining = model.training;
        using var rngState = torch.get_rng_state().DetachFromDisposeScope();
        using var scope = torch.NewDisposeScope();
        try
        {
            model.train();
            var gradients = new List<Tensor>();
            foreach (var batch in miniBatches)
            {
                ClearGradients();
                loss(model.forward(batch.Images), batch.Labels).backward();
                gradients.Add(FlatGradient());
            }

            // The whole-set gradient of the mean loss: batch gradients weighted by batch size.
            model.eval();
            ClearGradients();
            var total = (double)wholeSet.Sum(b => b.Size);
            foreach (var batch in wholeSet)
                (loss(model.forward(batch.Images), batch.Labels) * (batch.Size / total)).backward();
            var whole = Normalize(FlatGradient());

            var unit = torch.stack(gradients.Select(Normalize).ToList());
            var cosines = unit.matmul(unit.transpose(0, 1)).to(ScalarType.Float64).ToArray<double>();
            var g = gradients.Count;
            double pairDistance = 0;
            for (var i = 0; i < g; i++)
                for (var j = i + 1; j < g; j++) pairDistance += 1 - cosines[i * g + j];
            var variance = pairDistance / (g * (g - 1) / 2.0);
            var error = (1 - unit.matmul(whole)).mean().ToDouble();
            return (variance, error);
        }
        finally
        {
            ClearGradients();
            model.train(wasTraining);
            torch.set_rng_state(rngState);
        }
    }

    private void ClearGradients()
    {
        foreach (var parameter in _parameters) parameter.ClearGrad();
    }

    /// <summary>All gradients as one vector (zeros for parameters the loss did not reach).</summary>
    private Tensor FlatGradient() =>
        torch.cat(_parameters.Select(p => p.grad?.flatten() ?? torch.zeros([p.numel()], p.dtype, p.device)).ToList());

    private static Tensor Normalize(Tensor vector) => vector / (vector.norm().ToDouble() + 1e-12);

    public void Dispose()
    {
        foreach (var tensor in _initial) tensor.Dispose();
    }
}
