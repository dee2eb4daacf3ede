using Tracker.Shared;
using Tracker.Web.Features.Compare;
using Tracker.Web.Data;

namespace Tracker.Web.Tests.Compare;

public class CompareCsvTests
{
    [Fact]
    public async Task Csv_HasOneRowPerShownPoint_WithTheXAxisNamedInTheHeader()
    {
        var start = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var state = CompareState.FromQuery("runs=1,2&metrics=val/acc&x=step&group=seed");
        ComparedRun[] runs =
        [
            new(1, "a", "no dropout", RunStatus.Succeeded, start, ConfigFields.Flatten(new RunConfig { Seed = 4 })),
            new(2, "b", "no dropout", RunStatus.Succeeded, start, ConfigFields.Flatten(new RunConfig { Seed = 4 })),
        ];
        RawPoint[] points = [new(1, MetricKeys.ValAcc, 10, 1, 50, start), new(2, MetricKeys.ValAcc, 10, 1, 60, start)];
        var result = CompareBuilder.Build(state, runs, points, []);
        await using var writer = new StringWriter();

        await CompareCsv.WriteAsync(result, writer);

        Assert.Equal(
            "series,runs,metric,step,value,std,n\r\n" +
            $"seed=4,1 2,val/acc,10,55,{Math.Sqrt(50).ToString("R", System.Globalization.CultureInfo.InvariantCulture)},2\r\n",
            writer.ToString());
    }
}
