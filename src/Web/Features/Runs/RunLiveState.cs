using Tracker.Shared;
using Tracker.Web.Components.Library;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// What the run view shows of a run, first from the database and then kept current by its training events.
/// Not thread-safe: the view changes it only on its renderer's dispatcher. Points are keyed by (metric, step), so a
/// point seen twice (in the database and again live, or in a step and an epoch event of the same step) counts once.
/// </summary>
public sealed class RunLiveState
{
    private readonly Dictionary<string, SortedDictionary<long, double>> _points = new(StringComparer.Ordinal);
    /// <summary>The step at which each completed epoch ended; its points are the epoch's values.</summary>
    private readonly SortedDictionary<int, long> _epochEnds = [];
    private readonly Dictionary<string, MetricSummary> _summaries = new(StringComparer.Ordinal);
    // Charts get a new list only when their points changed: a chart redraws when a line's point list is another object.
    private readonly Dictionary<string, IReadOnlyList<ChartPoint>> _epochSeries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<ChartPoint>> _stepSeries = new(StringComparer.Ordinal);

    public RunLiveState(RunDetail detail, RunMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(detail);
        ArgumentNullException.ThrowIfNull(metrics);
        Detail = detail;
        Config = detail.Config;
        Status = detail.Status;
        EpochsCompleted = detail.EpochsCompleted;
        StartedAt = detail.Started;
        FinishedAt = detail.Finished;
        Error = detail.Error;
        Tags = detail.Tags;
        Notes = detail.Notes;
        foreach (var (key, summary) in detail.Summaries) _summaries[key] = summary;
        foreach (var series in metrics.Series)
        foreach (var point in series.Points)
            StorePoint(series.Key, point.Step, point.Value);
        // train/acc is only ever reported at the end of an epoch, so its points mark where the epochs ended.
        if (metrics.Series.FirstOrDefault(s => s.Key == MetricKeys.TrainAcc) is { } epochMarks)
        {
            foreach (var point in epochMarks.Points) _epochEnds[point.Epoch] = point.Step;
            LastEpochAt = epochMarks.Points.MaxBy(p => p.Epoch)?.Time;
        }
        // The furthest step any stored point reached: where the run stood when the page opened.
        if (metrics.Series.SelectMany(s => s.Points).MaxBy(p => p.Step) is { } latest) MarkStep(latest.Step, latest.Time);
    }

    /// <summary>The run as the database had it when the view opened (name, project, owner, config...).</summary>
    public RunDetail Detail { get; }

    public RunConfig Config { get; }

    public RunStatus Status { get; private set; }

    public int EpochsCompleted { get; private set; }

    public int EpochsPlanned => Config.Epochs;

    public DateTime? StartedAt { get; private set; }

    public DateTime? FinishedAt { get; private set; }

    /// <summary>When the last completed epoch ended (UTC); null before the first.</summary>
    public DateTime? LastEpochAt { get; private set; }

    public string? Error { get; private set; }

    /// <summary>The furthest optimizer step reported so far (by a step, analysis or epoch event, or a stored point); 0 before any.</summary>
    public long LatestStep { get; private set; }

    /// <summary>When <see cref="LatestStep"/> was reported (UTC); null before any step.</summary>
    public DateTime? LatestStepAt { get; private set; }

    /// <summary>The last few steps reported, with their times, for the training speed; cleared by nothing, trimmed to a window.</summary>
    private readonly List<(long Step, DateTime At)> _recentSteps = [];

    /// <summary>The steps the speed is measured over: enough to smooth one slow step, few enough to follow a change of pace.</summary>
    private const int SpeedWindow = 8;

    /// <summary>The step at which <paramref name="epoch"/> ended (0 for epoch 0, the start); null when not known.</summary>
    public long? EpochEndStep(int epoch) => epoch == 0 ? 0 : _epochEnds.TryGetValue(epoch, out var step) ? step : null;

    /// <summary>The steps and times reported since <paramref name="afterStep"/>, oldest first (at most a few).</summary>
    public IReadOnlyList<(long Step, DateTime At)> RecentStepsAfter(long afterStep) => _recentSteps.Where(s => s.Step > afterStep).ToList();

    public IReadOnlyList<string> Tags { get; set; }

    public string? Notes { get; set; }

    public bool IsActive => Status.IsActive();

    public bool CanRetry => Status.CanRetry();

    /// <summary>Epochs done over epochs planned, 0 to 100.</summary>
    public double ProgressPercent => EpochsPlanned <= 0 ? 0 : 100 * RunStatuses.Progress(EpochsCompleted, EpochsPlanned);

    /// <summary>The metric keys that have points, in order.</summary>
    public IEnumerable<string> Keys => _points.Keys.Order(StringComparer.Ordinal);

    public bool Has(string key) => _points.TryGetValue(key, out var points) && points.Count > 0;

    public IReadOnlyDictionary<string, MetricSummary> Summaries => _summaries;

    /// <summary>The value of <paramref name="key"/> at the end of each completed epoch, x = epoch.</summary>
    public IReadOnlyList<ChartPoint> EpochSeries(string key)
    {
        if (_epochSeries.TryGetValue(key, out var cached)) return cached;
        var series = new List<ChartPoint>();
        if (_points.TryGetValue(key, out var points))
            foreach (var (epoch, step) in _epochEnds)
                if (points.TryGetValue(step, out var value)) series.Add(new ChartPoint(epoch, value));
        return _epochSeries[key] = series;
    }

    /// <summary>Every value of <paramref name="key"/>, x = optimizer step.</summary>
    public IReadOnlyList<ChartPoint> StepSeries(string key)
    {
        if (_stepSeries.TryGetValue(key, out var cached)) return cached;
        var series = _points.TryGetValue(key, out var points) ? points.Select(p => new ChartPoint(p.Key, p.Value)).ToList() : [];
        return _stepSeries[key] = series;
    }

    /// <summary>Folds one live event in. Returns true when it must be shown at once (epochs and status changes), false when it may wait for the next throttled render.</summary>
    public bool Apply(TrainingEvent trainingEvent)
    {
        ArgumentNullException.ThrowIfNull(trainingEvent);
        switch (trainingEvent)
        {
            case RunStartedEvent started:
                if (Status == RunStatus.Queued) Status = RunStatus.Running;
                StartedAt ??= started.Time.UtcDateTime;
                return true;
            case StepEvent step:
                AddPoints(step.Step, step.Metrics);
                MarkStep(step.Step, step.Time.UtcDateTime);
                return false;
            case AnalysisEvent analysis:
                AddPoints(analysis.Step, analysis.Metrics);
                MarkStep(analysis.Step, analysis.Time.UtcDateTime);
                return false;
            case EpochEvent epoch:
                AddPoints(epoch.Step, epoch.Metrics);
                MarkStep(epoch.Step, epoch.Time.UtcDateTime);
                _epochEnds[epoch.Epoch] = epoch.Step;
                _epochSeries.Clear();
                if (epoch.Epoch >= EpochsCompleted)
                {
                    EpochsCompleted = epoch.Epoch;
                    LastEpochAt = epoch.Time.UtcDateTime;
                }
                if (Status == RunStatus.Queued) Status = RunStatus.Running;
                // The event carries the epoch's own duration, so only the first epoch tells when the run started.
                if (epoch.Epoch == 1) StartedAt ??= epoch.Time.UtcDateTime - TimeSpan.FromSeconds(epoch.EpochSeconds);
                return true;
            case RunFinishedEvent finished:
                Finish(finished);
                return true;
            case PointsEvent logged:
                foreach (var point in logged.Points)
                {
                    AddPoint(point.Key, point.Step, point.Value);
                    if (point.Epoch is { } epoch && epoch > EpochsCompleted) EpochsCompleted = epoch;
                }
                return false;
            default:
                return false;
        }
    }

    /// <summary>Takes what the database says about status and times once the queue has recorded the end (or a cancel).</summary>
    public void Refresh(RunDetail detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        Status = detail.Status;
        StartedAt = detail.Started ?? StartedAt;
        FinishedAt = detail.Finished ?? FinishedAt;
        Error = detail.Error ?? Error;
        EpochsCompleted = Math.Max(EpochsCompleted, detail.EpochsCompleted);
    }

    /// <summary>Time left (see <see cref="LiveProgress"/>); null until it can be told, or when the run is not running.</summary>
    public TimeSpan? EstimateRemaining(DateTime now) => Progress(now).Remaining;

    /// <summary>Where the run stands now: steps within the epoch, speed, time left (see <see cref="LiveProgress"/>).</summary>
    public LiveProgress Progress(DateTime now) => LiveProgress.Of(this, now);

    private void MarkStep(long step, DateTime at)
    {
        if (step <= LatestStep && LatestStepAt is not null) return;
        (LatestStep, LatestStepAt) = (step, at);
        _recentSteps.Add((step, at));
        if (_recentSteps.Count > SpeedWindow) _recentSteps.RemoveAt(0);
    }

    private void Finish(RunFinishedEvent finished)
    {
        Status = RunStatuses.FromOutcome(finished.Status, Status);
        FinishedAt ??= finished.Time.UtcDateTime;
        EpochsCompleted = Math.Max(EpochsCompleted, finished.Summary.EpochsCompleted);
        Error = finished.Summary.Error ?? (Status == RunStatus.Diverged ? finished.Summary.Message : null) ?? Error;
    }

    private void AddPoints(long step, IReadOnlyDictionary<string, double> metrics)
    {
        foreach (var (key, value) in metrics) AddPoint(key, step, value);
    }

    private void AddPoint(string key, long step, double value)
    {
        if (double.IsNaN(value)) return; // never stored either (MetricWriter), so a reload shows the same
        var isNew = StorePoint(key, step, value);
        _epochSeries.Remove(key);
        _stepSeries.Remove(key);
        Summarize(key, step, value, isNew);
    }

    private bool StorePoint(string key, long step, double value)
    {
        if (!_points.TryGetValue(key, out var points)) _points[key] = points = [];
        var isNew = !points.ContainsKey(step);
        points[step] = value;
        return isNew;
    }

    private void Summarize(string key, long step, double value, bool isNew) =>
        _summaries[key] = _summaries.TryGetValue(key, out var summary) ? summary.With(step, value, isNew) : MetricSummary.Of(step, value);
}
