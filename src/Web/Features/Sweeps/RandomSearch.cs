using System.Globalization;

namespace Tracker.Web.Features.Sweeps;

/// <summary>How a searched parameter's values are drawn.</summary>
public enum ParameterKind
{
    /// <summary>Any number in [low, high), every stretch equally likely.</summary>
    Uniform,

    /// <summary>Any number in [low, high) with its logarithm uniform: each factor of ten equally likely (learning rates, weight decay).</summary>
    LogUniform,

    /// <summary>A whole number in [low, high], both ends included.</summary>
    Integer,

    /// <summary>One of a list of values, each equally likely.</summary>
    Choice,
}

/// <summary>
/// One searched config parameter: its <paramref name="Path"/> in the run config (e.g. "optimizer.lr"), how it is drawn,
/// its bounds (ranges) or its values (<see cref="ParameterKind.Choice"/>). Build one with the factories.
/// </summary>
public sealed record SearchParameter(string Path, ParameterKind Kind, double Low, double High, IReadOnlyList<object> Choices)
{
    public static SearchParameter Uniform(string path, double low, double high) => new(path, ParameterKind.Uniform, low, high, []);

    public static SearchParameter LogUniform(string path, double low, double high) => new(path, ParameterKind.LogUniform, low, high, []);

    public static SearchParameter Integer(string path, int low, int high) => new(path, ParameterKind.Integer, low, high, []);

    public static SearchParameter Choice(string path, params object[] choices) => new(path, ParameterKind.Choice, 0, 0, choices);
}

/// <summary>
/// Random search: draws run configs' parameters from a space. The draws come from <see cref="System.Random"/> seeded with
/// the search's seed, one parameter after another in the order given, so the same space, seed and count give the same
/// list on the same .NET (a seeded Random's sequence is kept stable across .NET releases, but is not promised by any
/// standard, so a stored sweep keeps its drawn values rather than relying on redrawing them).
/// </summary>
public static class RandomSearch
{
    /// <summary>Guards against a typo queuing thousands of runs (the same cap as a grid sweep).</summary>
    public const int MaxRuns = 200;

    /// <summary>
    /// <paramref name="runs"/> assignments, each mapping every parameter's path to its drawn value: a double for
    /// uniform and log-uniform ranges, an int for integer ranges, the listed object for choices.
    /// Throws <see cref="ArgumentException"/> with every <see cref="Problems"/> of the space when it is not valid.
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object>> Sample(IReadOnlyList<SearchParameter> space, int seed, int runs)
    {
        var problems = Problems(space);
        if (runs is < 1 or > MaxRuns) problems = [.. problems, $"The run count must be between 1 and {MaxRuns}; it is {runs}."];
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(space));

        var random = new Random(seed);
        var assignments = new List<IReadOnlyDictionary<string, object>>(runs);
        for (var run = 0; run < runs; run++)
        {
            var assignment = new Dictionary<string, object>(space.Count, StringComparer.Ordinal);
            foreach (var parameter in space) assignment[parameter.Path] = Draw(parameter, random);
            assignments.Add(assignment);
        }
        return assignments;
    }

    /// <summary>Sentences saying what is wrong with the space, one per problem; empty when it can be sampled.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<SearchParameter>? space)
    {
        if (space is null || space.Count == 0) return ["Add at least one parameter to search."];
        var problems = new List<string>();
        foreach (var duplicate in space.GroupBy(p => p.Path, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"'{duplicate.Key}' is searched {duplicate.Count()} times; list each parameter once.");
        foreach (var parameter in space)
        {
            var name = string.IsNullOrWhiteSpace(parameter.Path) ? "A parameter with no path" : $"'{parameter.Path}'";
            if (string.IsNullOrWhiteSpace(parameter.Path)) problems.Add("Every parameter needs a config path, e.g. optimizer.lr.");
            if (parameter.Kind == ParameterKind.Choice)
            {
                if (parameter.Choices is not { Count: > 0 }) problems.Add($"{name} has no values to choose from.");
                continue;
            }
            if (!double.IsFinite(parameter.Low) || !double.IsFinite(parameter.High))
                problems.Add($"{name}: both ends of the range must be numbers.");
            else if (parameter.Low >= parameter.High)
                problems.Add($"{name}: the low end {Text(parameter.Low)} must be below the high end {Text(parameter.High)}.");
            else if (parameter.Kind == ParameterKind.Integer && (parameter.Low != Math.Floor(parameter.Low) || parameter.High != Math.Floor(parameter.High)
                     || parameter.Low < int.MinValue || parameter.High > int.MaxValue))
                problems.Add($"{name}: an integer range needs whole-number ends.");
            else if (parameter.Kind == ParameterKind.LogUniform && parameter.Low <= 0)
                problems.Add($"{name}: a log-uniform range must start above 0; it starts at {Text(parameter.Low)}.");
        }
        return problems;
    }

    private static object Draw(SearchParameter parameter, Random random) => parameter.Kind switch
    {
        ParameterKind.Uniform => InRange(parameter.Low + random.NextDouble() * (parameter.High - parameter.Low), parameter),
        ParameterKind.LogUniform => InRange(Math.Exp(Math.Log(parameter.Low) + random.NextDouble() * (Math.Log(parameter.High) - Math.Log(parameter.Low))), parameter),
        ParameterKind.Integer => (int)random.NextInt64((long)parameter.Low, (long)parameter.High + 1),
        _ => parameter.Choices[random.Next(parameter.Choices.Count)],
    };

    // Rounding (of exp above all) may land a draw on the excluded high end; keep it inside [low, high).
    private static double InRange(double value, SearchParameter parameter) =>
        Math.Clamp(value, parameter.Low, Math.BitDecrement(parameter.High));

    private static string Text(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
