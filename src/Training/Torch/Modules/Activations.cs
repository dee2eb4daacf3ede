namespace Tracker.Training.Torch.Modules;

public sealed class ReLU : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.relu();
}

public sealed class GELU : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => torch.nn.functional.gelu(input);
}

/// <summary>Flattens every dimension from <paramref name="startDim"/> on (the batch dimension stays).</summary>
public sealed class Flatten(long startDim = 1, long endDim = -1) : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.flatten(startDim, endDim);
}
