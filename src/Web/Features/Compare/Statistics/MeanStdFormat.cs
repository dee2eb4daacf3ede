using System.Globalization;

namespace Tracker.Web.Features.Compare.Statistics;

/// <summary>
/// Writes "mean ± std" with no more digits than the spread supports. The rule: the std keeps two significant digits and
/// the mean is rounded to the same decimal place, so both end at the same digit: 84.9412 ± 1.234 → "84.9 ± 1.2",
/// 84.94 ± 0.028284 → "84.940 ± 0.028", 0.41237 ± 0.0104 → "0.412 ± 0.010". A std of 10 or more keeps its whole digits
/// (1234.56 ± 56.7 → "1235 ± 57"): digits left of the point are never written as zeros. A single run (null std), a zero
/// or a non-finite std leaves the mean at <see cref="FallbackDecimals"/> decimals and no "±".
/// </summary>
public static class MeanStdFormat
{
    /// <summary>Significant digits the std keeps.</summary>
    public const int StdSignificantDigits = 2;

    /// <summary>Decimals of a mean that has no usable std.</summary>
    public const int FallbackDecimals = 2;

    /// <summary>"84.9 ± 1.2"; "84.94" alone when <paramref name="std"/> is null (one run), zero or not finite.</summary>
    public static string Format(double mean, double? std)
    {
        if (std is not { } spread || spread == 0 || !double.IsFinite(spread))
            return Fixed(mean, FallbackDecimals);
        var decimals = DecimalsFor(spread);
        return $"{Fixed(mean, decimals)} ± {Fixed(Math.Abs(spread), decimals)}";
    }

    /// <summary>
    /// Decimal places that leave <see cref="StdSignificantDigits"/> significant digits of <paramref name="std"/>:
    /// 0.028284 → 3, 1.234 → 1, 56.7 → 0 (never negative). Rounding that carries to a new digit (0.0996 → 0.10) keeps two.
    /// </summary>
    public static int DecimalsFor(double std)
    {
        var magnitude = Math.Abs(std);
        var firstDigit = (int)Math.Floor(Math.Log10(magnitude));
        var decimals = StdSignificantDigits - 1 - firstDigit;
        // 0.0996 rounds to 0.100 at 3 decimals: its first digit moved up one place, so one decimal fewer keeps two digits.
        if (decimals > 0 && Math.Round(magnitude, decimals, MidpointRounding.AwayFromZero) >= Math.Pow(10, firstDigit + 1)) decimals--;
        return Math.Clamp(decimals, 0, 15);
    }

    private static string Fixed(double value, int decimals) =>
        Math.Round(value, decimals, MidpointRounding.AwayFromZero).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
