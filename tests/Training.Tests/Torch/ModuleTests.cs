using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;
using F = Tracker.Training.Torch.torch.nn.functional;

namespace Tracker.Training.Tests.Torch;

/// <summary>
/// Modules as wholes. Their parameters are float32 and cannot be made float64 through the API, so
/// each module's gradient is proven in two steps: its functional form passes the float64
/// finite-difference check with the module's own parameter values, and the module's autograd
/// gradients (input and every named parameter) agree with that float64 form to float32 precision.
/// </summary>
public class ModuleTests
{
    /// <summary>The module's computation written with functional ops, parameters looked up by their registered names.</summary>
    private delegate Tensor FunctionalForm(Tensor input, IReadOnlyDictionary<string, Tensor> parameters);

    private static void AssertGradientsMatchFunctionalForm(Module<Tensor, Tensor> module, long[] inputShape, FunctionalForm functional)
    {
        using var scope = torch.NewDisposeScope();
        var names = module.named_parameters().Select(p => p.name).ToArray();
        var parameters = module.named_parameters().Select(p => p.parameter).ToArray();
        var input = Reference.Tensor(inputShape, 99);

        Tensor Run(Tensor[] x) => functional(x[0], names.Select((n, i) => (n, x[i + 1])).ToDictionary(p => p.n, p => p.Item2));

        // 1. The functional form, in float64 at the module's parameter values, has the right gradients.
        var inputs64 = new[] { input }.Concat(parameters.Select(p => p.detach().to(ScalarType.Float64))).ToArray();
        FiniteDifferences.AssertGradientsMatch(Run, inputs64);

        // 2. The module computes the same function with the same gradients.
        var leaves64 = inputs64.Select(t => t.detach().clone().requires_grad_()).ToArray();
        var output64 = Run(leaves64);
        var upstream = Reference.Tensor(output64.shape, 7);
        (output64 * upstream).sum().backward();

        module.zero_grad();
        var input32 = input.to(ScalarType.Float32).requires_grad_();
        var output32 = module.forward(input32);
        (output32 * upstream.to(ScalarType.Float32)).sum().backward();

        Reference.AssertClose(Reference.Values(output64), output32, 1e-5, "output");
        var gradients32 = new[] { input32 }.Concat(parameters).Select(t => t.grad).ToArray();
        for (var i = 0; i < leaves64.Length; i++)
        {
            var what = i == 0 ? "input gradient" : $"gradient of {names[i - 1]}";
            Assert.True(gradients32[i] is not null, $"{what} is missing");
            Reference.AssertClose(Reference.Values(leaves64[i].grad!), gradients32[i]!, 1e-4, what);
        }
    }

    [Fact]
    public void Linear_GradientsOfInputWeightAndBias_AreRight()
    {
        torch.manual_seed(1);
        using var linear = torch.nn.Linear(4, 3);
        AssertGradientsMatchFunctionalForm(linear, [2, 5, 4], (x, p) => F.linear(x, p["weight"], p["bias"]));
    }

    [Fact]
    public void Conv2d_GradientsOfInputWeightAndBias_AreRight()
    {
        torch.manual_seed(2);
        using var conv = torch.nn.Conv2d(4, 6, 3, stride: 2, padding: 1, groups: 2);
        AssertGradientsMatchFunctionalForm(conv, [2, 4, 5, 5],
            (x, p) => F.conv2d(x, p["weight"], p["bias"], stride: 2, padding: 1, groups: 2));
    }

    [Fact]
    public void LayerNorm_GradientsOfInputWeightAndBias_AreRight()
    {
        torch.manual_seed(3);
        using var norm = torch.nn.LayerNorm([4]);
        // Move scale and shift off 1 and 0, so a gradient that ignored them would show.
        using (torch.no_grad())
        {
            using var scope = torch.NewDisposeScope();
            norm.weight!.copy_(torch.tensor(new float[] { 1.5f, -0.5f, 0.8f, 2f }));
            norm.bias!.copy_(torch.tensor(new float[] { 0.1f, -0.2f, 0.3f, 0 }));
        }
        AssertGradientsMatchFunctionalForm(norm, [3, 4], (x, p) => F.layer_norm(x, [4], p["weight"], p["bias"]));
    }

    [Fact]
    public void BatchNorm2dTraining_GradientsOfInputWeightAndBias_AreRight()
    {
        torch.manual_seed(4);
        using var norm = torch.nn.BatchNorm2d(2);
        using (torch.no_grad())
        {
            using var scope = torch.NewDisposeScope();
            norm.weight.copy_(torch.tensor(new float[] { 1.5f, -0.5f }));
            norm.bias.copy_(torch.tensor(new float[] { 0.1f, -0.2f }));
        }
        AssertGradientsMatchFunctionalForm(norm, [3, 2, 2, 3],
            (x, p) => F.batch_norm(x, null, null, p["weight"], p["bias"], training: true));
    }

    [Fact]
    public void Sequential_GradientsOfInputAndEveryLayersParameters_AreRight()
    {
        torch.manual_seed(5);
        using var model = torch.nn.Sequential(
            // No conv bias: batch norm's mean subtraction would cancel it, leaving it no gradient to check.
            torch.nn.Conv2d(2, 4, 3, padding: 1, hasBias: false), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
            torch.nn.Flatten(), torch.nn.Linear(4 * 3 * 3, 5), torch.nn.GELU(), torch.nn.LayerNorm([5]), torch.nn.Linear(5, 2));
        AssertGradientsMatchFunctionalForm(model, [3, 2, 3, 3], (x, p) =>
        {
            var h = F.conv2d(x, p["0.weight"], padding: 1);
            h = F.batch_norm(h, null, null, p["1.weight"], p["1.bias"], training: true);
            h = F.relu(h).flatten(1);
            h = F.gelu(F.linear(h, p["4.weight"], p["4.bias"]));
            h = F.layer_norm(h, [5], p["6.weight"], p["6.bias"]);
            return F.linear(h, p["7.weight"], p["7.bias"]);
        });
    }

    // ---- forward wiring beyond gradients ----

    [Fact]
    public void LinearInit_StaysWithinOneOverSqrtFanIn_AndForwardIsXWTransposedPlusB()
    {
        torch.manual_seed(6);
        using var linear = torch.nn.Linear(16, 3);
        using var scope = torch.NewDisposeScope();
        var weight = linear.weight.ToArray<float>();
        var bias = linear.bias!.ToArray<float>();
        Assert.All(weight.Concat(bias), w => Assert.InRange(w, -0.25f, 0.25f));
        Assert.True(weight.Max() - weight.Min() > 0.3f, "weights should spread over the interval, not sit at one value");

        var input = Reference.Uniform(2 * 16, 8);
        var output = linear.call(torch.tensor(input.Select(v => (float)v).ToArray(), [2, 16]));
        var expected = new double[6];
        for (var r = 0; r < 2; r++)
        for (var o = 0; o < 3; o++)
        {
            double sum = bias[o];
            for (var i = 0; i < 16; i++) sum += (float)input[r * 16 + i] * weight[o * 16 + i];
            expected[r * 3 + o] = sum;
        }
        Reference.AssertClose(expected, output, 1e-5);
    }

    [Fact]
    public void BatchNorm2d_TrainingUpdatesRunningStatistics_EvalUsesThem()
    {
        torch.manual_seed(7);
        using var norm = torch.nn.BatchNorm2d(3, momentum: 0.25);
        using var scope = torch.NewDisposeScope();
        var input = torch.randn([4, 3, 2, 2]) * 2 + 1;
        var inputValues = input.ToArray<float>();

        norm.train();
        _ = norm.forward(input);
        var runningMean = norm.running_mean.ToArray<float>();
        var runningVar = norm.running_var.ToArray<float>();
        for (var c = 0; c < 3; c++)
        {
            var channel = Enumerable.Range(0, inputValues.Length)
                .Where(i => Reference.Unravel(i, [4, 3, 2, 2])[1] == c).Select(i => (double)inputValues[i]).ToArray();
            Assert.Equal(0.75 * 0 + 0.25 * channel.Average(), runningMean[c], 1e-5);
            Assert.Equal(0.75 * 1 + 0.25 * Reference.Variance(channel, unbiased: true), runningVar[c], 1e-5);
        }

        norm.eval();
        var evaluated = norm.forward(input);
        var expected = F.batch_norm(input, norm.running_mean.clone(), norm.running_var.clone(), norm.weight, norm.bias, training: false);
        Assert.Equal(expected.ToArray<float>(), evaluated.ToArray<float>());
        Assert.Equal(runningMean, norm.running_mean.ToArray<float>()); // eval leaves them alone
    }

    [Fact]
    public void ActivationAndShapeModules_EqualTheirFunctions()
    {
        using var scope = torch.NewDisposeScope();
        var input = Reference.Tensor([2, 3, 2], 9).to(ScalarType.Float32);
        Assert.Equal(F.relu(input).ToArray<float>(), torch.nn.ReLU().forward(input).ToArray<float>());
        Assert.Equal(F.gelu(input).ToArray<float>(), torch.nn.GELU().forward(input).ToArray<float>());
        Assert.Equal([2L, 6L], torch.nn.Flatten().forward(input).shape);
        Assert.Equal([6L, 2L], torch.nn.Flatten(0, 1).forward(input).shape);
        Assert.Equal(input.ToArray<float>(), torch.nn.Sequential().forward(input).ToArray<float>());
    }

    [Fact]
    public void DropoutModule_DropsInTraining_PassesThroughInEvalOrAtZero_AndValidatesP()
    {
        torch.manual_seed(8);
        using var dropout = torch.nn.Dropout(0.4);
        using var scope = torch.NewDisposeScope();
        var input = torch.ones([10_000]);

        var trained = dropout.forward(input).ToArray<float>();
        Assert.InRange(trained.Count(v => v == 0) / 10_000.0, 0.37, 0.43);
        Assert.All(trained.Where(v => v != 0), v => Assert.Equal(1 / 0.6f, v, 1e-6f));

        dropout.p = 0;
        var stateBefore = torch.get_rng_state().ToArray<byte>();
        Assert.Equal(input.ToArray<float>(), dropout.forward(input).ToArray<float>());
        Assert.Equal(stateBefore, torch.get_rng_state().ToArray<byte>()); // no mask drawn

        dropout.p = 0.9;
        dropout.eval();
        Assert.Equal(input.ToArray<float>(), dropout.forward(input).ToArray<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => dropout.p = 1.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => torch.nn.Dropout(-0.1));
    }

    // ---- module behaviour ----

    private static Sequential SmallNetwork() => torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(8, 3));

    [Fact]
    public void NamedParametersAndBuffers_UseDottedPositionNames()
    {
        using var model = SmallNetwork();
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"], model.named_parameters().Select(p => p.name));
        Assert.Equal(["1.running_mean", "1.running_var"], model.named_buffers().Select(b => b.name));
        Assert.Equal(["", "0", "1", "2", "3", "4"], model.named_modules().Select(m => m.name));
        Assert.Equal(model.named_parameters().Select(p => p.name).Concat(model.named_buffers().Select(b => b.name)), model.state_dict().Keys);
        Assert.Same(model[1], model.named_children().ElementAt(1).module);

        using var nested = torch.nn.Sequential(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.LayerNorm([2])), torch.nn.Linear(2, 1, hasBias: false));
        Assert.Equal(["0.0.weight", "0.0.bias", "0.1.weight", "0.1.bias", "1.weight"], nested.named_parameters().Select(p => p.name));
    }

    [Fact]
    public void TrainAndEval_ReachEveryNestedChild()
    {
        using var model = torch.nn.Sequential(torch.nn.Sequential(torch.nn.Dropout(0.5), SmallNetwork()), torch.nn.Linear(3, 1));
        Assert.All(model.named_modules(), m => Assert.True(m.module.training, m.name));
        Assert.Same(model, model.eval());
        Assert.All(model.named_modules(), m => Assert.False(m.module.training, m.name));
        model.train();
        Assert.All(model.named_modules(), m => Assert.True(m.module.training, m.name));
        model.train(false);
        Assert.All(model.named_modules(), m => Assert.False(m.module.training, m.name));
    }

    [Fact]
    public void ZeroGrad_ClearsEveryParametersGradient()
    {
        torch.manual_seed(9);
        using var model = SmallNetwork();
        using (torch.NewDisposeScope()) model.forward(torch.randn([4, 1, 4, 4])).square().sum().backward();
        Assert.All(model.named_parameters(), p =>
        {
            using var grad = p.parameter.grad;
            Assert.True(grad is not null, $"{p.name} has no gradient");
        });

        model.zero_grad();
        Assert.All(model.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void ToCpu_KeepsTheSameParameterAndBufferObjectsAndValues()
    {
        torch.manual_seed(10);
        using var model = SmallNetwork();
        var parameters = model.parameters().ToArray();
        var buffers = model.named_buffers().Select(b => b.buffer).ToArray();
        var values = parameters.Select(p => p.ToArray<float>()).ToArray();
        using var optimizer = torch.optim.SGD(parameters, lr: 0.1);

        Assert.Same(model, model.to(torch.CPU));

        Assert.Equal(parameters.Length, model.parameters().Count());
        foreach (var (before, after) in parameters.Zip(model.parameters())) Assert.Same(before, after);
        foreach (var (before, after) in buffers.Zip(model.named_buffers().Select(b => b.buffer))) Assert.Same(before, after);
        for (var i = 0; i < parameters.Length; i++)
        {
            Assert.Equal(values[i], parameters[i].ToArray<float>());
            Assert.True(parameters[i].requires_grad);
        }
        // The optimizer still updates the module's own tensors.
        using (torch.NewDisposeScope()) model.forward(torch.randn([2, 1, 4, 4])).sum().backward();
        optimizer.step();
        Assert.NotEqual(values[^1], model.parameters().Last().ToArray<float>());
    }

    [Fact]
    public void Parameter_IsALeafThatRequiresGrad_CutFromWhereItsDataCameFrom()
    {
        using var scope = torch.NewDisposeScope();
        var source = torch.tensor(new[] { 1.0, -2.0 }).requires_grad_();
        var data = source * 2;
        var parameter = new Parameter(data);

        Assert.True(parameter.requires_grad);
        Assert.True(data.IsDisposed); // consumed
        (parameter * torch.tensor(new[] { 3.0, 5.0 })).sum().backward();
        Assert.Equal([3.0, 5.0], parameter.grad!.ToArray<double>()); // only leaves keep .grad
        Assert.Null(source.grad);

        using var frozen = new Parameter(torch.ones([2]), requiresGrad: false);
        Assert.False(frozen.requires_grad);
        parameter.Dispose();
    }

    [Fact]
    public void Parameter_OutlivesTheDisposeScopeItWasCreatedIn()
    {
        Parameter parameter;
        using (torch.NewDisposeScope()) parameter = new Parameter(torch.ones([3]));
        Assert.False(parameter.IsDisposed);
        Assert.Equal([1f, 1f, 1f], parameter.ToArray<float>());
        parameter.Dispose();
    }

    [Fact]
    public void NoGrad_StopsRecording_AndRestoresThePreviousModeWhenNested()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones([2]).requires_grad_();
        Assert.True(torch.is_grad_enabled());
        Assert.True((x * 2).requires_grad);

        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            Assert.False((x * 2).requires_grad);
            using (torch.enable_grad())
            {
                Assert.True((x * 2).requires_grad);
                using (torch.no_grad()) Assert.False(torch.is_grad_enabled());
                Assert.True(torch.is_grad_enabled());
            }
            Assert.False(torch.is_grad_enabled());
        }
        Assert.True(torch.is_grad_enabled());
        Assert.True((x * 2).requires_grad);
    }

    [Fact]
    public void NoGrad_RestoresTheModeEvenWhenTheBlockThrows_AndADoubleDisposeIsHarmless()
    {
        static void FailInsideNoGrad()
        {
            using (torch.no_grad()) throw new InvalidOperationException("inside");
        }
        Assert.Throws<InvalidOperationException>(FailInsideNoGrad);
        Assert.True(torch.is_grad_enabled());

        torch.set_grad_enabled(false);
        try
        {
            var inner = torch.no_grad();
            inner.Dispose();
            torch.set_grad_enabled(true);
            inner.Dispose(); // already restored once: must not switch recording off again
            Assert.True(torch.is_grad_enabled());
        }
        finally
        {
            torch.set_grad_enabled(true);
        }
    }
}
