namespace Tracker.Training.Torch.Modules;

/// <summary>
/// Dropout whose probability may change between steps: early and late dropout schedules set
/// <see cref="p"/> before every optimizer step.
/// </summary>
public sealed class Dropout(double p = 0.5) : Module<Tensor, Tensor>
{
    private double _p = Probability.Check(p, "dropout");

    public double p
    {
        get => _p;
        set => _p = Probability.Check(value, "dropout");
    }


    public override Tensor forward(Tensor input) =>
        // With p = 0 (or in eval) the input passes through untouched: no mask is drawn, no RNG consumed.
        training && _p > 0 ? torch.nn.functional.dropout(input, _p, training: true) : input.alias();
}
