namespace Tracker.Training.Torch.Modules;

/// <summary>Runs its modules in order; children are named "0", "1", ... as in PyTorch.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = [];

    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        foreach (var layer in layers) append(layer);
    }

    public int Count => _layers.Count;

    public Module<Tensor, Tensor> this[int index] => _layers[index];

    public Sequential append(Module<Tensor, Tensor> layer)
    {
        register_module(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    public override Tensor forward(Tensor input)
    {
        // Intermediate results belong to the caller's dispose scope, like any other op's.
        var x = input;
        foreach (var layer in _layers) x = layer.forward(x);
        return ReferenceEquals(x, input) ? input.alias() : x;
    }
}
