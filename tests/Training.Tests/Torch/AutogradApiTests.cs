using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Torch;

/// <summary>The autograd entry points of Tensor: backward's options, grad, ClearGrad, requires_grad.</summary>
public class AutogradApiTests
{
    [Fact]
    public void Backward_WithAnExplicitGradient_ChainsIt()
    {
        using var scope = torch.NewDisposeScope();
        double[] values = [1.5, -2, 0.5];
        double[] upstream = [1, 10, -3];
        var x = torch.tensor(values);
        Assert.Same(x, x.requires_grad_());
        x.square().backward(torch.tensor(upstream));
        Assert.Equal(values.Select((v, i) => 2 * v * upstream[i]), x.grad!.ToArray<double>());
    }

    [Fact]
    public void Backward_TwiceAccumulates_OnlyWhenTheGraphWasRetained()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { 1.0, 3.0 }).requires_grad_();
        var loss = (x * x).sum();
        loss.backward(retain_graph: true);
        loss.backward();
        Assert.Equal([4.0, 12.0], x.grad!.ToArray<double>()); // 2 · 2x

        var again = (x * x).sum();
        again.backward();
        var error = Assert.Throws<TorchException>(() => again.backward());
        Assert.Contains("second time", error.Message);
    }

    [Fact]
    public void Grad_IsNullUntilBackward_AndClearGradDropsIt()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { 2.0 }).requires_grad_();
        Assert.Null(x.grad);
        (x * 5).sum().backward();
        Assert.Equal([5.0], x.grad!.ToArray<double>());
        x.ClearGrad();
        Assert.Null(x.grad);
        (x * 7).sum().backward();
        Assert.Equal([7.0], x.grad!.ToArray<double>()); // starts afresh, not 12
    }

    [Fact]
    public void RequiresGrad_PropagatesThroughOps_AndCanBeSwitchedOff()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones([2]);
        Assert.False(x.requires_grad);
        Assert.False((x * 2).requires_grad);
        x.requires_grad = true;
        Assert.True((x * 2).requires_grad);
        x.requires_grad_(false);
        Assert.False((x * 2).requires_grad);
    }
}
