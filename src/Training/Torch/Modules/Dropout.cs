namespace Tracker.Training.Torch.Modules;

/// <summary>
/// Dropout whose probability may change between steps: early and late dropout schedules set
/// <see cref="p"/> before every optimizer step.
/// </summary>
public sealed class Dropout(double p = 0.5) : Module<Tensor, Tensor>
{
    private double _p = Validate(p);

    public double p
    {
        get => _p;
        set => _p = Validate(value);
    }

    private static double Validate(double value) => value is >= 0 and <= 1
        ? value
        : throw new ArgumentOutOfRangeException(nameof(p), value, "dropout probability must be in [0, 1]");

    public override Tensor forward(Tensor input) =>
        // With p = 0 (or in eval) the input passes through untouched: no mask is drawn, no RNG consumed.
        training && _p > 0 ? torch.nn.functional.dropout(input, _p, training: true) : input.alias();
}
