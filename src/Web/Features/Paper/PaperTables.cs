using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Features.Compare.Statistics;

namespace Tracker.Web.Features.Paper;

/// <summary>What the paper tables need of one run: its labels, outcome, seed and final metrics (the last recorded values).</summary>
public sealed record PaperRun(
    long Id, string Method, string Model, string Dataset, RunStatus Status, int Seed, IReadOnlyList<string> Tags, double? FinalValAcc, double? FinalTrainLoss);

/// <summary>A mean over runs, with the sample standard deviation (n - 1); <see cref="Std"/> is null for a single run.</summary>
public sealed record Stat(double Mean, double? Std, int N)
{
    public static Stat? Of(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0) return null;
        var mean = list.Average();
        double? std = list.Count > 1 ? Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1)) : null;
        return new Stat(mean, std, list.Count);
    }
}

/// <summary>
/// One cell of an instance table: the succeeded runs of a method and model, their final val top-1 (percent) and final
/// train loss, and the difference of the table's primary metric from the baseline row in the same column.
/// </summary>
/// <param name="RunIds">The succeeded runs the statistics are over (the /compare link).</param>
/// <param name="Pending">Queued or running runs of the cell, which will fill it.</param>
/// <param name="Applicable">False where the paper has no such run; such a cell is never run.</param>
/// <param name="VsBaseline">Our primary metric against the baseline row's in the same column, with its interval (paired by seed when both ran the same seeds); null on the baseline row or without runs on either side.</param>
/// <param name="PaperDelta">The paper's own difference from its baseline row in the matching column; null where it gives no number.</param>
/// <param name="Verdict">Whether <see cref="VsBaseline"/> agrees with <see cref="PaperDelta"/> (<see cref="ReproductionVerdict"/>); null where there is nothing to judge.</param>
public sealed record InstanceCell(
    string Method, string Model, IReadOnlyList<long> RunIds, Stat? ValAcc, Stat? TrainLoss, double? DiffFromBaseline, int Pending, bool Applicable,
    GroupComparisonResult? VsBaseline = null, double? PaperDelta = null, Reproduction? Verdict = null);

/// <summary>One method's row: the paper's row name and our label for it.</summary>
public sealed record InstanceRow(string PaperRow, string Method, IReadOnlyList<InstanceCell> Cells)
{
    /// <summary>The verdicts of the row's judged cells (those with our interval beside a paper Δ), left to right.</summary>
    public IReadOnlyList<Reproduction> Verdicts => Cells.Select(c => c.Verdict).OfType<Reproduction>().ToList();
}

/// <summary>A reference table filled from this instance's runs, with the datasets those runs trained on.</summary>
public sealed record InstanceTable(InstanceTableSpec Spec, IReadOnlyList<InstanceRow> Rows, IReadOnlyList<string> Datasets)
{
    /// <summary>
    /// One line per row compared with the baseline ("early dropout: 2 of 3 columns reproduced, 1 inconclusive"), for the
    /// rows with at least one judged cell.
    /// </summary>
    public IReadOnlyList<string> SummaryLines => Rows.Where(r => r.Method != Spec.BaselineMethod && r.Verdicts.Count > 0)
        .Select(r => ReproductionVerdict.SummaryLine(r.Method, r.Verdicts)).ToList();

    public InstanceCell Cell(string method, string model) => Rows.Single(r => r.Method == method).Cells.Single(c => c.Model == model);
}

/// <summary>One run a "run the missing cells" sweep adds.</summary>
public sealed record MissingRun(string Method, string Model, int Seed);

/// <summary>A fine-tuned run and what its parent was pre-trained with.</summary>
public sealed record FineTunedRun(
    long Id, RunStatus Status, IReadOnlyList<string> Tags, string Dataset, int? TrainSubset, long ParentId, string ParentMethod, string ParentModel,
    double? FinalValAcc);

/// <summary>One cell of the downstream table: the fine-tuned runs of one pre-training method on one task.</summary>
public sealed record DownstreamCell(DownstreamTask Task, IReadOnlyList<long> RunIds, Stat? ValAcc);

/// <summary>A row of the downstream table: the parents' pre-training method (and model, which the paper's rows imply).</summary>
public sealed record DownstreamRow(string ParentMethod, string ParentModel, IReadOnlyList<DownstreamCell> Cells);

public sealed record DownstreamTable(IReadOnlyList<DownstreamTask> Tasks, IReadOnlyList<DownstreamRow> Rows);

/// <summary>
/// Turns runs into the paper's tables. A run counts in a table when it succeeded, carries the table's tag
/// (<see cref="InstanceTableSpec.RunsTag"/>), its method is one of the rows and its model one of the columns;
/// everything else (other tables' runs, failed or unfinished runs, combined methods) is left out.
/// </summary>
public static class PaperTables
{
    public static InstanceTable Build(InstanceTableSpec spec, ReferenceTable reference, IEnumerable<PaperRun> runs)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(reference);
        var tagged = runs.Where(r => r.Tags.Contains(spec.RunsTag, StringComparer.Ordinal)).ToList();
        var succeeded = tagged.Where(r => r.Status == RunStatus.Succeeded).ToList();

        double? PrimaryOf(PaperRun run) => spec.PrimaryMetric == MetricKeys.TrainLoss ? run.FinalTrainLoss : run.FinalValAcc;
        Stat? Primary(IReadOnlyList<PaperRun> cellRuns) => Stat.Of(cellRuns.Select(PrimaryOf).OfType<double>());
        List<SeededValue> Seeded(IReadOnlyList<PaperRun> cellRuns) =>
            cellRuns.Where(r => PrimaryOf(r) is not null).Select(r => new SeededValue(PrimaryOf(r)!.Value, r.Seed)).ToList();
        var baselinePaperRow = spec.Rows.First(r => r.Value == spec.BaselineMethod).Key;
        List<PaperRun> Of(IEnumerable<PaperRun> source, string method, string model) =>
            source.Where(r => r.Method == method && r.Model == model).ToList();

        var rows = spec.Rows.Select(row => new InstanceRow(row.Key, row.Value, spec.Columns.Select(column =>
        {
            var cellRuns = Of(succeeded, row.Value, column.Model);
            var primary = Primary(cellRuns);
            var baselineRuns = row.Value == spec.BaselineMethod ? [] : Of(succeeded, spec.BaselineMethod, column.Model);
            var baseline = Primary(baselineRuns);
            var ours = Seeded(cellRuns);
            var theirs = Seeded(baselineRuns);
            var comparison = ours.Count > 0 && theirs.Count > 0 ? GroupComparison.Compare(theirs, ours, spec.PrimaryMetric) : null;
            var paperDelta = row.Value == spec.BaselineMethod ? null
                : reference.ValueAt(row.Key, column.PaperColumn) - reference.ValueAt(baselinePaperRow, column.PaperColumn);
            Reproduction? verdict = comparison is not null && paperDelta is { } delta
                ? ReproductionVerdict.Judge(comparison.Estimate, Math.Min(comparison.BaselineRuns, comparison.OtherRuns), delta)
                : null;
            return new InstanceCell(
                row.Value, column.Model,
                cellRuns.Select(r => r.Id).Order().ToList(),
                Stat.Of(cellRuns.Select(r => r.FinalValAcc).OfType<double>()),
                Stat.Of(cellRuns.Select(r => r.FinalTrainLoss).OfType<double>()),
                primary is not null && baseline is not null ? primary.Mean - baseline.Mean : null,
                Of(tagged, row.Value, column.Model).Count(r => r.Status.IsActive()),
                spec.HasCell(reference, row.Value, column.Model),
                comparison, paperDelta, verdict);
        }).ToList())).ToList();
        var datasets = succeeded.Where(r => spec.Rows.Any(row => row.Value == r.Method) && spec.Columns.Any(c => c.Model == r.Model))
            .Select(r => r.Dataset).Distinct().Order(StringComparer.Ordinal).ToList();
        return new InstanceTable(spec, rows, datasets);
    }

    /// <summary>
    /// The runs that bring every applicable cell to <paramref name="seeds"/> seeds. Succeeded, queued and running runs
    /// count (so a second click does not queue the same runs again); failed ones do not. New runs take the lowest
    /// seeds not yet used in their cell.
    /// </summary>
    public static IReadOnlyList<MissingRun> Missing(InstanceTableSpec spec, ReferenceTable reference, IEnumerable<PaperRun> runs, int seeds = PaperPresets.Seeds)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var counting = runs.Where(r => r.Tags.Contains(spec.RunsTag, StringComparer.Ordinal)
            && (r.Status == RunStatus.Succeeded || r.Status.IsActive())).ToList();
        var missing = new List<MissingRun>();
        foreach (var (_, method) in spec.Rows)
        {
            foreach (var column in spec.Columns)
            {
                if (!spec.HasCell(reference, method, column.Model)) continue;
                var cellRuns = counting.Where(r => r.Method == method && r.Model == column.Model).ToList();
                var used = cellRuns.Select(r => r.Seed).ToHashSet();
                var freeSeeds = Enumerable.Range(0, int.MaxValue).Where(seed => !used.Contains(seed));
                missing.AddRange(freeSeeds.Take(Math.Max(0, seeds - cellRuns.Count)).Select(seed => new MissingRun(method, column.Model, seed)));
            }
        }
        return missing;
    }

    /// <summary>
    /// The downstream table: succeeded fine-tunes tagged <see cref="PaperPresets.DownstreamTag"/>, rows by the parent's
    /// method (in <see cref="Methods.All"/> order) and model, columns by task (dataset, then subset, whole set first).
    /// </summary>
    public static DownstreamTable BuildDownstream(IEnumerable<FineTunedRun> runs)
    {
        var counted = runs.Where(r => r.Status == RunStatus.Succeeded && r.Tags.Contains(PaperPresets.DownstreamTag, StringComparer.Ordinal)).ToList();
        var tasks = counted.Select(r => new DownstreamTask(r.Dataset, r.TrainSubset)).Distinct()
            .OrderBy(t => t.Dataset, StringComparer.Ordinal).ThenBy(t => t.TrainSubset ?? int.MaxValue).ToList();
        var methodOrder = Methods.All.ToList();
        int MethodOrder(string method) => methodOrder.IndexOf(method) is var index and >= 0 ? index : methodOrder.Count;
        var rows = counted.Select(r => (r.ParentMethod, r.ParentModel)).Distinct()
            .OrderBy(k => MethodOrder(k.ParentMethod)).ThenBy(k => k.ParentMethod, StringComparer.Ordinal).ThenBy(k => k.ParentModel, StringComparer.Ordinal)
            .Select(key => new DownstreamRow(key.ParentMethod, key.ParentModel, tasks.Select(task =>
            {
                var cellRuns = counted.Where(r => r.ParentMethod == key.ParentMethod && r.ParentModel == key.ParentModel
                    && r.Dataset == task.Dataset && r.TrainSubset == task.TrainSubset).ToList();
                return new DownstreamCell(task, cellRuns.Select(r => r.Id).Order().ToList(), Stat.Of(cellRuns.Select(r => r.FinalValAcc).OfType<double>()));
            }).ToList())).ToList();
        return new DownstreamTable(tasks, rows);
    }
}
