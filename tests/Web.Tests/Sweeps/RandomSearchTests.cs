using Tracker.Web.Features.Sweeps;

namespace Tracker.Web.Tests.Sweeps;

public class RandomSearchTests
{
    private static readonly SearchParameter[] Space =
    [
        SearchParameter.LogUniform("optimizer.lr", 1e-5, 1e-1),
        SearchParameter.Uniform("dropout.rate", 0.0, 0.3),
        SearchParameter.Integer("epochs", 5, 20),
        SearchParameter.Choice("model", "vit-nano", "mixer", "convnext"),
    ];

    private static string Text(IReadOnlyDictionary<string, object> assignment) =>
        string.Join("; ", assignment.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    [Fact]
    public void SameSeed_GivesTheSameList_AnotherSeedAnotherList()
    {
        var first = RandomSearch.Sample(Space, seed: 42, runs: 20);
        var again = RandomSearch.Sample(Space, seed: 42, runs: 20);
        var other = RandomSearch.Sample(Space, seed: 43, runs: 20);

        Assert.Equal(first.Select(Text), again.Select(Text));
        Assert.NotEqual(first.Select(a => a["optimizer.lr"]), other.Select(a => a["optimizer.lr"]));
    }

    [Fact]
    public void EveryValue_IsWithinItsRange_OfItsType_AndFromItsList()
    {
        var assignments = RandomSearch.Sample(Space, seed: 1, runs: RandomSearch.MaxRuns);

        Assert.Equal(RandomSearch.MaxRuns, assignments.Count);
        Assert.All(assignments, a =>
        {
            Assert.Equal(["dropout.rate", "epochs", "model", "optimizer.lr"], a.Keys.Order(StringComparer.Ordinal));
            Assert.InRange(Assert.IsType<double>(a["optimizer.lr"]), 1e-5, 1e-1);
            Assert.InRange(Assert.IsType<double>(a["dropout.rate"]), 0.0, 0.3);
            Assert.InRange(Assert.IsType<int>(a["epochs"]), 5, 20);
            Assert.Contains(a["model"], new object[] { "vit-nano", "mixer", "convnext" });
        });
        // Both ends of an integer range are drawn; every choice turns up.
        Assert.Contains(assignments, a => (int)a["epochs"] == 5);
        Assert.Contains(assignments, a => (int)a["epochs"] == 20);
        Assert.Equal(3, assignments.Select(a => a["model"]).Distinct().Count());
    }

    [Fact]
    public void LogUniform_MedianIsNearTheGeometricMean_AndEachDecadeEquallyLikely()
    {
        // Over [1e-5, 1e-1] the geometric mean is 1e-3; a uniform draw's median would be near 0.05 instead.
        var space = new[] { SearchParameter.LogUniform("lr", 1e-5, 1e-1) };
        var draws = Enumerable.Range(0, 50)
            .SelectMany(seed => RandomSearch.Sample(space, seed, RandomSearch.MaxRuns))
            .Select(a => (double)a["lr"]).Order().ToList();

        var median = draws[draws.Count / 2];
        Assert.InRange(Math.Log10(median), -3.1, -2.9);
        for (var decade = -5; decade < -1; decade++)
        {
            var share = draws.Count(d => d >= Math.Pow(10, decade) && d < Math.Pow(10, decade + 1)) / (double)draws.Count;
            Assert.InRange(share, 0.23, 0.27);
        }
    }

    [Theory]
    [InlineData(0.1, 0.01, "'lr': the low end 0.1 must be below the high end 0.01.")]
    [InlineData(0.01, 0.01, "'lr': the low end 0.01 must be below the high end 0.01.")]
    [InlineData(0.0, 0.1, "'lr': a log-uniform range must start above 0; it starts at 0.")]
    [InlineData(-1.0, 0.1, "'lr': a log-uniform range must start above 0; it starts at -1.")]
    public void BadLogRanges_SayWhatIsWrong(double low, double high, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => RandomSearch.Sample([SearchParameter.LogUniform("lr", low, high)], 0, 5));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherBadSpaces_ListEveryProblem()
    {
        Assert.Equal(["Add at least one parameter to search."], RandomSearch.Problems([]));
        Assert.Equal(
            [
                "'seed' is searched 2 times; list each parameter once.",
                "'model' has no values to choose from.",
                "'seed': the low end 3 must be below the high end 1.",
                "'dropout.rate': both ends of the range must be numbers.",
            ],
            RandomSearch.Problems(
            [
                SearchParameter.Choice("model"),
                SearchParameter.Integer("seed", 3, 1),
                SearchParameter.Uniform("dropout.rate", double.NaN, 1),
                SearchParameter.Integer("seed", 0, 1),
            ]));
        Assert.Contains("run count", Assert.Throws<ArgumentException>(() => RandomSearch.Sample(Space, 0, 0)).Message, StringComparison.Ordinal);
    }
}
