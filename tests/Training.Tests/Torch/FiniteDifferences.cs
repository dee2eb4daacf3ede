using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Torch;

/// <summary>
/// Checks autograd against central differences in float64. The scalar that is differentiated is
/// F = Σ f(inputs) · R with a fixed random R, so every output element's gradient path counts
/// (a plain sum would hide, say, a transposed gradient of a permutation).
/// </summary>
internal static class FiniteDifferences
{
    public const double Step = 1e-6;
    public const double RelativeTolerance = 1e-5;
    // Rounding in F is amplified by 1/(2·Step); this floor keeps near-zero gradients from failing on that noise alone.
    public const double AbsoluteTolerance = 1e-7;
    private const int UpstreamSeed = 20230301;

    /// <summary>
    /// Asserts that autograd's gradient of F with respect to each input matches the numeric one, and
    /// that each input actually influences the output (so the check cannot pass vacuously).
    /// </summary>
    public static void AssertGradientsMatch(Func<Tensor[], Tensor> function, params Tensor[] inputs)
    {
        var problems = FindMismatches(function, inputs);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(12)));
    }

    /// <summary>Describes every element whose autograd and numeric gradients disagree (empty when all agree).</summary>
    public static List<string> FindMismatches(Func<Tensor[], Tensor> function, params Tensor[] inputs)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var input in inputs)
            Assert.True(input.dtype == ScalarType.Float64, $"gradient checks run in float64, got {input.dtype}");
        var values = inputs.Select(t => t.ToArray<double>()).ToArray();
        var shapes = inputs.Select(t => t.shape).ToArray();

        var leaves = values.Select((v, i) => torch.tensor(v, shapes[i]).requires_grad_()).ToArray();
        var output = function(leaves);
        Assert.True(output.dtype == ScalarType.Float64, $"the function must keep float64, got {output.dtype}");
        var upstream = Reference.Uniform((int)output.numel(), UpstreamSeed, 0.5, 1.5)
            .Select((v, i) => i % 2 == 0 ? v : -v).ToArray();
        (output * torch.tensor(upstream, output.shape)).sum().backward();

        var problems = new List<string>();
        for (var i = 0; i < inputs.Length; i++)
        {
            var analytic = leaves[i].grad?.ToArray<double>() ?? new double[values[i].Length];
            var largestNumeric = 0.0;
            for (var j = 0; j < values[i].Length; j++)
            {
                var numeric = (Objective(function, values, shapes, upstream, i, j, Step)
                               - Objective(function, values, shapes, upstream, i, j, -Step)) / (2 * Step);
                largestNumeric = Math.Max(largestNumeric, Math.Abs(numeric));
                var error = Math.Abs(analytic[j] - numeric);
                if (!(error <= AbsoluteTolerance + RelativeTolerance * Math.Abs(numeric)))
                    problems.Add($"input {i} element {j}: autograd {analytic[j]:R}, numeric {numeric:R}");
            }
            if (largestNumeric < 1e-6) problems.Add($"input {i} does not influence the output: the check would be vacuous");
        }
        return problems;
    }

    private static double Objective(Func<Tensor[], Tensor> function, double[][] values, long[][] shapes, double[] upstream,
        int input, int element, double delta)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var arguments = new Tensor[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            var data = values[k];
            if (k == input)
            {
                data = (double[])data.Clone();
                data[element] += delta;
            }
            arguments[k] = torch.tensor(data, shapes[k]);
        }
        var output = function(arguments).ToArray<double>();
        double total = 0;
        for (var k = 0; k < output.Length; k++) total += output[k] * upstream[k];
        return total;
    }
}
