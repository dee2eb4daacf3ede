using Tracker.Web.Features.Compare.Statistics;

namespace Tracker.Web.Tests.Compare.Statistics;

public class MeanStdFormatTests
{
    [Theory]
    [InlineData(84.9412, 1.234, "84.9 ± 1.2")]
    [InlineData(84.94, 0.028284, "84.940 ± 0.028")]
    [InlineData(0.41237, 0.0104, "0.412 ± 0.010")]
    [InlineData(74.25, 0.35, "74.25 ± 0.35")]
    [InlineData(74.25, 0.0996, "74.25 ± 0.10")]
    [InlineData(74.2, 9.96, "74 ± 10")]
    [InlineData(1234.56, 56.7, "1235 ± 57")]
    [InlineData(-0.5, 0.123, "-0.50 ± 0.12")]
    public void StdKeepsTwoSignificantDigits_MeanTheSameDecimals(double mean, double std, string expected)
    {
        Assert.Equal(expected, MeanStdFormat.Format(mean, std));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    public void NoUsableStd_WritesTheMeanAlone(double? std)
    {
        Assert.Equal("84.94", MeanStdFormat.Format(84.9412, std));
    }

    [Theory]
    [InlineData(0.028284, 3)]
    [InlineData(1.234, 1)]
    [InlineData(0.0996, 2)]
    [InlineData(56.7, 0)]
    [InlineData(5678, 0)]
    public void DecimalsFor_LeavesTwoSignificantDigits(double std, int expected)
    {
        Assert.Equal(expected, MeanStdFormat.DecimalsFor(std));
    }
}
