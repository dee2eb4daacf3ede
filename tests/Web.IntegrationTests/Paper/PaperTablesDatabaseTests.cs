using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Features.Paper;

namespace Tracker.Web.IntegrationTests.Paper;

/// <summary>The paper tables read from a real database: runs and their summaries as the workers store them.</summary>
public sealed class PaperTablesDatabaseTests
{
    private static readonly InstanceTableSpec EarlyBasic = PaperPresets.SpecFor("early-basic")!;
    private static readonly ReferenceTable EarlyBasicReference = ReferenceResults.Load().Table("early-basic")!;

    /// <summary>Stores a run of <paramref name="config"/> with the given outcome and final metrics; returns its id.</summary>
    private static async Task<long> AddRunAsync(TrackerDbContext context, Project project, RunConfig config, RunStatus status,
        double? valAcc, double? trainLoss, long? parent = null)
    {
        var run = Run.FromConfig(config, project, Runs.Created);
        run.Status = status;
        run.ParentRunId = parent ?? run.ParentRunId;
        context.Runs.Add(run);
        await context.SaveChangesAsync();
        // An earlier, different value too: the table must take the last one, not the best.
        if (valAcc is { } acc)
        {
            context.RunSummaries.Add(new Data.RunSummary { RunId = run.Id, Key = MetricKeys.ValAcc, Last = acc, LastStep = 20, Min = acc - 5, Max = acc + 1, Count = 2 });
        }
        if (trainLoss is { } loss)
        {
            context.RunSummaries.Add(new Data.RunSummary { RunId = run.Id, Key = MetricKeys.TrainLoss, Last = loss, LastStep = 20, Min = loss, Max = loss + 1, Count = 2 });
        }
        await context.SaveChangesAsync();
        return run.Id;
    }

    private static RunConfig Cell(string method, string model, int seed, string? tableId = "early-basic") =>
        PaperPresets.ConfigFor(PaperPresets.SpecFor(tableId ?? "early-basic")!, method, model, seed);

    [Theory, SqliteData, PostgresData]
    public async Task TaggedRuns_FillTheirCells_WithLastValues_AndOtherTablesAndFailedRunsLeftOut(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        long baseline0, baseline1, early0, early1, early2;
        await using (var context = database.CreateDbContext())
        {
            var project = new Project { Name = PaperPresets.Project, CreatedAt = Runs.Created };
            baseline0 = await AddRunAsync(context, project, Cell(Methods.NoDropout, KnownModels.VitNano, 0), RunStatus.Succeeded, 80.0, 0.60);
            baseline1 = await AddRunAsync(context, project, Cell(Methods.NoDropout, KnownModels.VitNano, 1), RunStatus.Succeeded, 82.0, 0.50);
            early0 = await AddRunAsync(context, project, Cell(Methods.EarlyDropout, KnownModels.VitNano, 0), RunStatus.Succeeded, 83.0, 0.55);
            early1 = await AddRunAsync(context, project, Cell(Methods.EarlyDropout, KnownModels.VitNano, 1), RunStatus.Succeeded, 85.0, 0.45);
            early2 = await AddRunAsync(context, project, Cell(Methods.EarlyDropout, KnownModels.VitNano, 2), RunStatus.Succeeded, 84.0, 0.50);
            // Not counted: failed, still running, another table's recipe, untagged.
            await AddRunAsync(context, project, Cell(Methods.EarlyDropout, KnownModels.VitNano, 3), RunStatus.Failed, 10.0, 2.3);
            await AddRunAsync(context, project, Cell(Methods.EarlyDropout, KnownModels.VitNano, 4), RunStatus.Running, 20.0, 2.0);
            await AddRunAsync(context, project, Cell(Methods.EarlyDropout, KnownModels.VitNano, 0, "early-improved"), RunStatus.Succeeded, 11.0, 2.2);
            await AddRunAsync(context, project, Cell(Methods.EarlyDropout, KnownModels.VitNano, 5) with { Tags = [] }, RunStatus.Succeeded, 12.0, 2.1);
        }

        IReadOnlyList<PaperRun> runs;
        await using (var context = database.CreateDbContext())
            runs = await PaperQueries.TaggedRunsAsync(context, [EarlyBasic.RunsTag], CancellationToken.None);
        var table = PaperTables.Build(EarlyBasic, EarlyBasicReference, runs);

        var early = table.Cell(Methods.EarlyDropout, KnownModels.VitNano);
        Assert.Equal([early0, early1, early2], early.RunIds);
        Assert.Equal(84.0, early.ValAcc!.Mean, 9);
        Assert.Equal(1.0, early.ValAcc.Std!.Value, 9);
        Assert.Equal(3, early.ValAcc.N);
        Assert.Equal(0.50, early.TrainLoss!.Mean, 9);
        Assert.Equal(84.0 - 81.0, early.DiffFromBaseline!.Value, 9);
        Assert.Equal(1, early.Pending);
        var baseline = table.Cell(Methods.NoDropout, KnownModels.VitNano);
        Assert.Equal([baseline0, baseline1], baseline.RunIds);
        Assert.Equal(Math.Sqrt(2), baseline.ValAcc!.Std!.Value, 9);
        Assert.Empty(table.Cell(Methods.EarlyStochasticDepth, KnownModels.VitNano).RunIds);
        Assert.Null(table.Cell(Methods.EarlyStochasticDepth, KnownModels.VitNano).ValAcc);
        // The cell's seeds 0-2 are taken and a run with seed 4 is still going: nothing more to run there.
        Assert.DoesNotContain(PaperTables.Missing(EarlyBasic, EarlyBasicReference, runs), m => m is { Method: Methods.EarlyDropout, Model: KnownModels.VitNano });
    }

    [Theory, SqliteData, PostgresData]
    public async Task FineTunedRuns_FillTheDownstreamTable_ByTheParentsMethod(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        long first, second;
        await using (var context = database.CreateDbContext())
        {
            var project = new Project { Name = PaperPresets.Project, CreatedAt = Runs.Created };
            var parentConfig = Cell(Methods.EarlyDropout, KnownModels.VitNano, 0);
            var parent = await AddRunAsync(context, project, parentConfig, RunStatus.Succeeded, 84.0, 0.5);
            var task = new DownstreamTask(KnownDatasets.Mnist, 1000);
            first = await AddRunAsync(context, project, PaperPresets.FineTune(parentConfig, parent, task), RunStatus.Succeeded, 95.0, 0.2);
            second = await AddRunAsync(context, project, PaperPresets.FineTune(parentConfig, parent, task), RunStatus.Succeeded, 97.0, 0.1);
            await AddRunAsync(context, project, PaperPresets.FineTune(parentConfig, parent, task), RunStatus.Failed, 10.0, 2.3);
        }

        await using var reader = database.CreateDbContext();
        var table = PaperTables.BuildDownstream(await PaperQueries.FineTunedRunsAsync(reader, CancellationToken.None));

        var row = Assert.Single(table.Rows);
        Assert.Equal((Methods.EarlyDropout, KnownModels.VitNano), (row.ParentMethod, row.ParentModel));
        var cell = Assert.Single(row.Cells);
        Assert.Equal(new DownstreamTask(KnownDatasets.Mnist, 1000), cell.Task);
        Assert.Equal([first, second], cell.RunIds);
        Assert.Equal((96.0, 2), (cell.ValAcc!.Mean, cell.ValAcc.N));
    }
}
