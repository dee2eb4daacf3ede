using Tracker.Web.Features.Compare.Statistics;

namespace Tracker.Web.Features.Paper;

/// <summary>Whether our result for one column of a paper table agrees with the paper's.</summary>
public enum Reproduction
{
    /// <summary>Our interval excludes zero on the side of the paper's Δ.</summary>
    Reproduced,

    /// <summary>Our interval excludes zero on the other side (or the paper reports no change and we find one).</summary>
    Contradicted,

    /// <summary>Our interval includes zero, or too few runs to say.</summary>
    Inconclusive,
}

/// <summary>
/// Judges our Δ from the table's baseline against the paper's Δ. Only the sign of the paper's Δ counts, not its size:
/// the paper reports no interval to test a size against.
/// </summary>
public static class ReproductionVerdict
{
    /// <summary>
    /// Inconclusive when <paramref name="runs"/> (the smaller group's run count) is below
    /// <see cref="ComparisonVerdicts.MinimumRuns"/> or the interval [<paramref name="lower"/>, <paramref name="upper"/>]
    /// includes zero; otherwise reproduced when the interval lies on the side of <paramref name="paperDelta"/>'s sign,
    /// contradicted when on the other side or when the paper's Δ is exactly zero (it reports no change; we find one).
    /// </summary>
    public static Reproduction Judge(double lower, double upper, int runs, double paperDelta)
    {
        if (lower > upper) throw new ArgumentException($"The interval [{lower}, {upper}] is reversed.", nameof(lower));
        if (!double.IsFinite(paperDelta)) throw new ArgumentException("The paper's Δ must be a number.", nameof(paperDelta));
        if (runs < ComparisonVerdicts.MinimumRuns || double.IsNaN(lower) || double.IsNaN(upper) || (lower <= 0 && upper >= 0))
            return Reproduction.Inconclusive;
        var oursSign = lower > 0 ? 1 : -1;
        return Math.Sign(paperDelta) == oursSign ? Reproduction.Reproduced : Reproduction.Contradicted;
    }

    /// <summary>Judges a comparison's estimate; inconclusive when it has none (fewer than 2 runs in a group).</summary>
    public static Reproduction Judge(DifferenceEstimate? ours, int runs, double paperDelta) =>
        ours is null ? Reproduction.Inconclusive : Judge(ours.Lower, ours.Upper, runs, paperDelta);

    /// <summary>
    /// One line per table: "early dropout: 2 of 3 columns reproduced", then the other outcomes that occur
    /// (", 1 contradicted, 1 inconclusive"); "early dropout: no columns to compare" for none.
    /// </summary>
    public static string SummaryLine(string tableName, IReadOnlyCollection<Reproduction> columns)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0) return $"{tableName}: no columns to compare";
        var reproduced = columns.Count(c => c == Reproduction.Reproduced);
        var contradicted = columns.Count(c => c == Reproduction.Contradicted);
        var inconclusive = columns.Count(c => c == Reproduction.Inconclusive);
        var line = $"{tableName}: {reproduced} of {columns.Count} {(columns.Count == 1 ? "column" : "columns")} reproduced";
        if (contradicted > 0) line += $", {contradicted} contradicted";
        if (inconclusive > 0) line += $", {inconclusive} inconclusive";
        return line;
    }
}
