using System.Globalization;
using Tracker.Web.Features.Runs;

namespace Tracker.Web.Features.Compare;

/// <summary>
/// The lines a comparison shows, as CSV: one row per point of each series (a run, or a group's mean with its standard
/// deviation and how many runs made it), smoothed as shown. RFC 4180, invariant numbers, like the metrics CSV.
/// </summary>
public static class CompareCsv
{
    public static string Header(CompareXAxis axis) =>
        $"series,runs,metric,{XColumn(axis)},value,std,n";

    public static string XColumn(CompareXAxis axis) => axis switch
    {
        CompareXAxis.Epoch => "epoch",
        CompareXAxis.Step => "step",
        _ => "seconds",
    };

    public static async Task WriteAsync(CompareResult result, TextWriter writer)
    {
        await writer.WriteAsync(Header(result.State.XAxis) + "\r\n");
        foreach (var chart in result.Charts)
        foreach (var series in chart.Series)
        {
            var prefix = string.Join(',', MetricQueries.CsvField(series.Name), MetricQueries.CsvField(string.Join(' ', series.RunIds)), MetricQueries.CsvField(chart.Key));
            foreach (var point in series.Points)
                await writer.WriteAsync(string.Join(',', prefix, Number(point.X), Number(point.Mean), Number(point.Std),
                    point.N.ToString(CultureInfo.InvariantCulture)) + "\r\n");
        }
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
