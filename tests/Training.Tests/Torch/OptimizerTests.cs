using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Tests.Torch;

public class OptimizerTests
{
    [Fact]
    public void AdamWFirstStep_EqualsItsFormula()
    {
        const double lr = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, decay = 0.05;
        double[] start = [0.5, -1.5, 2.0];
        double[] gradient = [0.3, -0.2, 1e-3];
        using var parameter = new Parameter(torch.tensor(start));
        using var optimizer = torch.optim.AdamW([parameter], lr, beta1, beta2, eps, decay);
        using (torch.NewDisposeScope())
        {
            // loss = sum(p * g) has gradient g.
            (parameter * torch.tensor(gradient)).sum().backward();
        }
        optimizer.step();

        var actual = parameter.ToArray<double>();
        for (var i = 0; i < start.Length; i++)
        {
            var m = (1 - beta1) * gradient[i] / (1 - beta1);
            var v = (1 - beta2) * gradient[i] * gradient[i] / (1 - beta2);
            var expected = start[i] * (1 - lr * decay) - lr * m / (Math.Sqrt(v) + eps);
            Assert.Equal(expected, actual[i], 12);
        }
    }

    [Fact]
    public void SgdWithMomentum_MatchesPyTorchRecurrence()
    {
        using var parameter = new Parameter(torch.tensor(new double[] { 1.0 }));
        using var optimizer = torch.optim.SGD([parameter], lr: 0.1, momentum: 0.9);
        double p = 1.0, buffer = 0;
        for (var step = 1; step <= 3; step++)
        {
            optimizer.zero_grad();
            using (torch.NewDisposeScope()) parameter.square().sum().backward(); // gradient 2p
            optimizer.step();
            var g = 2 * p;
            buffer = step == 1 ? g : 0.9 * buffer + g;
            p -= 0.1 * buffer;
            Assert.Equal(p, parameter.ToArray<double>()[0], 12);
        }
    }

    [Fact]
    public void ClipGradNorm_ScalesGradientsToTheLimit()
    {
        using var parameter = new Parameter(torch.tensor(new double[] { 3, 4 }));
        using var optimizer = torch.optim.SGD([parameter], lr: 1);
        using (torch.NewDisposeScope()) (parameter.square().sum() * 0.5).backward(); // gradient = p, norm 5
        var before = optimizer.clip_grad_norm(1.0);
        Assert.Equal(5.0, before, 9);
        using var grad = parameter.grad!;
        Assert.Equal(1.0, grad.norm().ToDouble(), 5);
    }

    [Fact]
    public void OptimizerStateSaveLoad_ContinuesIdentically()
    {
        var path = Path.Combine(Path.GetTempPath(), $"trk-opt-{Guid.NewGuid():N}.bin");
        try
        {
            double[] RunSteps(int steps, string? loadFrom, string? saveTo, double[] start)
            {
                using var parameter = new Parameter(torch.tensor(start));
                using var optimizer = torch.optim.AdamW([parameter], lr: 0.05);
                if (loadFrom is not null) optimizer.load(loadFrom);
                for (var i = 0; i < steps; i++)
                {
                    optimizer.zero_grad();
                    using (torch.NewDisposeScope()) (parameter - 1).square().sum().backward();
                    optimizer.step();
                }
                if (saveTo is not null) optimizer.save(saveTo);
                return parameter.ToArray<double>();
            }

            var straight = RunSteps(6, null, null, [0.0, 2.0]);
            var half = RunSteps(3, null, path, [0.0, 2.0]);
            var resumed = RunSteps(3, path, null, half);
            Assert.Equal(straight, resumed);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ZeroGradInPlace_ZeroesTheGradientsWhereTheyAre_AndSetGradAttachesTheSameMemory()
    {
        using var parameter = new Parameter(torch.tensor(new double[] { 1.0, 2.0 }));
        using var optimizer = torch.optim.AdamW([parameter]);
        using (torch.NewDisposeScope()) (parameter * torch.tensor(new double[] { 3.0, 4.0 })).sum().backward();
        using var kept = parameter.grad!;

        optimizer.ZeroGradInPlace();

        Assert.Equal(new[] { 0.0, 0.0 }, kept.ToArray<double>()); // the handle taken before sees the zeros: same memory
        parameter.ClearGrad();
        Assert.Null(parameter.grad);
        parameter.SetGrad(kept);
        kept.fill_(7);
        using var attached = parameter.grad!;
        Assert.Equal(new[] { 7.0, 7.0 }, attached.ToArray<double>());
    }

    [Fact]
    public void AdamWWithItsStateOnTheDevice_NeedsACudaShim_AndSaysSo()
    {
        if (CudaGraph.IsAvailable) return; // a CUDA build runs this path in the GPU benchmark
        using var parameter = new Parameter(torch.tensor(new double[] { 1.0 }));
        using var optimizer = torch.optim.AdamW([parameter]);
        using (torch.NewDisposeScope()) (parameter * 2).sum().backward();
        optimizer.UseDeviceState();

        var error = Assert.Throws<TorchException>(optimizer.step);
        Assert.Contains("CUDA libtorch", error.Message);
    }
}
