using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Features.Runs;
using Tracker.Web.Data;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Features.Runs.Filtering;

namespace Tracker.Web.IntegrationTests.RunsList;

/// <summary>Filter-language queries compiled and run by each provider against runs with known configs and summaries.</summary>
public class RunFilterQueryTests
{
    [Theory, SqliteData, PostgresData]
    public async Task CompiledFilters_SelectExactlyTheMatchingRuns(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        await SeedAsync(database);

        (string Query, string[] Expected)[] cases =
        [
            ("model = vit-nano AND (method = \"early dropout\" OR method = \"early s.d.\") AND val/acc > 80", ["vit-early-dropout"]),
            ("model = mlp", ["mlp-baseline", "mlp-l2"]),
            ("NOT model = mlp", ["vit-early-dropout", "vit-early-sd", "vit-standard"]),
            ("model = MLP", []),
            ("model ~ VIT", ["vit-early-dropout", "vit-early-sd", "vit-standard"]),
            ("name ~ early AND NOT name ~ sd", ["vit-early-dropout"]),
            ("model = mlp OR model = vit-nano AND dropout.mode = early", ["mlp-baseline", "mlp-l2", "vit-early-dropout"]),
            ("(model = mlp OR model = vit-nano) AND dropout.mode = early", ["vit-early-dropout"]),
            ("tag = paper", ["vit-early-dropout", "vit-early-sd"]),
            ("tag != paper", ["mlp-baseline", "mlp-l2", "vit-standard"]),
            ("tag ~ PAP", ["vit-early-dropout", "vit-early-sd"]),
            ("project = paper", ["vit-early-dropout", "vit-early-sd", "vit-standard"]),
            ("status = running", ["vit-standard"]),
            ("status != succeeded", ["vit-standard"]),
            ("owner = ada", ["mlp-l2"]),
            ("owner != ada", ["mlp-baseline", "vit-early-dropout", "vit-early-sd", "vit-standard"]),
            ("lr < 1e-3", ["vit-early-dropout", "vit-early-sd", "vit-standard"]),
            ("lr = 0.001", ["mlp-baseline", "mlp-l2"]),
            ("epochs >= 30 AND batchSize = 256", ["vit-early-dropout", "vit-early-sd"]),
            ("dropout.rate >= 0.1 AND dropout.schedule = linear", ["vit-early-dropout"]),
            ("dropout.cutoffEpoch > 3", ["vit-early-dropout"]),
            ("NOT dropout.cutoffEpoch > 3", ["mlp-baseline", "mlp-l2", "vit-early-sd", "vit-standard"]),
            ("dropPath.mode = early AND dropPath.rate = 0.1", ["vit-early-sd"]),
            ("l2 > 0", ["mlp-l2"]),
            ("optimizer = sgd", ["mlp-l2"]),
            ("rDrop.alpha > 0", ["vit-standard"]),
            ("trainSubset <= 1000", ["mlp-baseline"]),
            ("seed = 2", ["vit-early-sd"]),
            ("val/acc > 80", ["vit-early-dropout"]),
            ("val/acc > 80%", ["vit-early-dropout"]),
            ("val/acc <= 80", ["mlp-baseline", "mlp-l2", "vit-early-sd", "vit-standard"]),
            ("max(val/acc) > 80", ["vit-early-dropout", "vit-early-sd"]),
            ("max(val/acc) >= 90", ["vit-early-sd"]),
            ("min(val/loss) < 0.3", ["vit-early-dropout"]),
            ("last(val/loss) > 1", ["mlp-baseline"]),
            ("NOT val/acc > 0", []),
            ("grad/norm > 0", []),
            ("sweep = s-1", ["mlp-baseline", "mlp-l2"]),
        ];

        await using var context = database.CreateDbContext();
        foreach (var (query, expected) in cases)
        {
            Assert.True(RunFilter.TryCompile(query, out var predicate, out var error), $"{query}: {error}");
            var names = await context.Runs.Where(predicate!).Select(r => r.Name).OrderBy(n => n).ToListAsync();
            Assert.True(expected.SequenceEqual(names), $"{query}\n  expected: {string.Join(", ", expected)}\n  got:      {string.Join(", ", names)}");
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task InjectionShapedValue_MatchesNothing_AndTravelsAsAParameter(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        await SeedAsync(database);
        const string Hostile = "x' OR 1=1 --";

        Assert.True(RunFilter.TryCompile($"name = \"{Hostile}\" OR name ~ \"'; DROP TABLE Runs; --\" OR tag = \"' OR ''='\"", out var predicate, out _));
        await using var context = database.CreateDbContext();
        var query = context.Runs.Where(predicate!);
        using var command = query.CreateDbCommand();

        Assert.Empty(await query.ToListAsync());
        Assert.DoesNotContain("1=1", command.CommandText, StringComparison.Ordinal);
        Assert.DoesNotContain("DROP TABLE", command.CommandText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("x'", command.CommandText, StringComparison.Ordinal);
        Assert.Contains(command.Parameters.Cast<System.Data.Common.DbParameter>(), p => Hostile.Equals(p.Value));
        Assert.Equal(5, await context.Runs.CountAsync());
    }

    [Theory, SqliteData, PostgresData]
    public async Task EveryLiteral_BecomesAParameter(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        Assert.True(RunFilter.TryCompile(
            "model = zebra-model AND lr > 0.000123 AND dropout.mode = early AND status = running AND tag ~ giraffe AND max(val/acc) > 41.5",
            out var predicate, out _));
        await using var context = database.CreateDbContext();

        var sql = context.Runs.Where(predicate!).ToQueryString();
        using var command = context.Runs.Where(predicate!).CreateDbCommand();

        foreach (var literal in new[] { "zebra", "0.000123", "1.23E-04", "'early'", "Running", "giraffe", "41.5", "val/acc" })
            Assert.DoesNotContain(literal, command.CommandText, StringComparison.OrdinalIgnoreCase);
        Assert.True(command.Parameters.Count >= 7, sql);
    }

    [Theory, SqliteData, PostgresData]
    public async Task ListAsync_AppliesTheFilterWithQuickFiltersSortAndPaging(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        await SeedAsync(database);
        Assert.True(RunFilter.TryCompile("val/acc > 0", out var predicate, out _));
        await using var context = database.CreateDbContext();

        var first = await RunQueries.ListAsync(context, new RunListQuery("paper", null, null, null, RunSort.Name, false, 1, 2, predicate), default);
        var second = await RunQueries.ListAsync(context, new RunListQuery("paper", null, null, null, RunSort.Name, false, 2, 2, predicate), default);
        var byProject = await RunQueries.ListAsync(context, new RunListQuery(null, null, null, null, RunSort.Project, true, 1, 10, predicate), default);
        var byModel = await RunQueries.ListAsync(context, new RunListQuery(null, null, "paper", null, RunSort.Model, false, 1, 10, predicate), default);

        Assert.Equal(3, first.Total);
        Assert.Equal(["vit-early-dropout", "vit-early-sd"], first.Items.Select(r => r.Name));
        Assert.Equal(["vit-standard"], second.Items.Select(r => r.Name));
        var sd = first.Items[1];
        Assert.Equal((91.0, 2, 30, "paper"), (sd.BestValAcc, sd.EpochsCompleted, sd.Epochs, sd.Project));
        Assert.Equal(["paper", "paper", "paper", "mlp", "mlp"], byProject.Items.Select(r => r.Project));
        Assert.Equal(2, byModel.Total);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Facets_AreTheDistinctProjectsTagsAndMethods(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await database.MigrateAsync();
        await SeedAsync(database);
        await using var context = database.CreateDbContext();

        var facets = await RunQueries.FacetsAsync(context, default);

        Assert.Equal(["mlp", "paper"], facets.Projects);
        Assert.Equal(["fig1", "paper", "quick"], facets.Tags);
        Assert.Equal(["early dropout", "early s.d.", "L2", "no dropout", "R-Drop"], facets.Methods);
    }

    /// <summary>Five runs in two projects; val/acc is stored in percent, as the trainer writes it.</summary>
    private static async Task SeedAsync(TestDatabase database)
    {
        await using var context = database.CreateDbContext();
        var created = Support.Runs.Created;
        var paper = new Project { Name = "paper", CreatedAt = created };
        var mlp = new Project { Name = "mlp", CreatedAt = created };
        var vit = new RunConfig { Model = KnownModels.VitNano, Epochs = 30, BatchSize = 256, Lr = 5e-4, Project = "paper" };
        Run Add(Project project, RunConfig config, RunStatus status, int minutes, params (string Key, double Last, double Min, double Max)[] summaries)
        {
            var run = Run.FromConfig(config, project, created.AddMinutes(minutes));
            run.Status = status;
            run.EpochsCompleted = 2;
            foreach (var (key, last, min, max) in summaries)
                run.Summaries.Add(new Data.RunSummary { Key = key, Last = last, Min = min, Max = max, LastStep = 10, Count = 3 });
            context.Runs.Add(run);
            return run;
        }

        Add(paper, vit with { Name = "vit-early-dropout", Tags = ["paper", "fig1"], Dropout = new DropSettings { Rate = 0.1, Mode = DropMode.Early, Schedule = DropSchedule.Linear, CutoffEpoch = 5 } },
            RunStatus.Succeeded, 1, ("val/acc", 85, 40, 86), ("val/loss", 0.4, 0.25, 1.5));
        Add(paper, vit with { Name = "vit-early-sd", Tags = ["paper"], Seed = 2, DropPath = new DropSettings { Rate = 0.1, Mode = DropMode.Early, CutoffEpoch = 2 } },
            RunStatus.Succeeded, 2, ("val/acc", 79, 50, 91), ("val/loss", 0.5, 0.45, 1.2));
        Add(paper, vit with { Name = "vit-standard", Epochs = 10, Dropout = new DropSettings { Rate = 0.1 }, RDrop = new RDropSettings { Alpha = 0.5 } },
            RunStatus.Running, 3, ("val/acc", 60, 30, 60));
        var baseline = Add(mlp, new RunConfig { Name = "mlp-baseline", Project = "mlp", Tags = ["quick"], TrainSubset = 1000 },
            RunStatus.Succeeded, 4, ("val/acc", 70, 20, 75), ("val/loss", 1.1, 0.9, 2.0));
        var l2 = Add(mlp, new RunConfig { Name = "mlp-l2", Project = "mlp", L2 = 1e-4, Optimizer = OptimizerKind.Sgd }, RunStatus.Succeeded, 5, ("val/acc", 79.5, 10, 80));
        l2.Owner = "ada";
        baseline.SweepId = l2.SweepId = "s-1";
        await context.SaveChangesAsync();
    }
}
