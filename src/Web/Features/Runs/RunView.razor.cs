using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Components.Library;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// One run: what it is, how far it got, its config, metric summaries and charts that grow live while it trains, and
/// (unless read-only) the actions on it: cancel, clone, retry, notes and tags.
/// </summary>
public sealed partial class RunView : IDisposable
{
    /// <summary>
    /// The charts (the slow part of a render, and each Plotly draw 50-150 ms of the browser's main thread on two cores)
    /// redraw at most this often while events stream; the epoch count and status render at once. A redraw that falls due
    /// happens right after an epoch's count has gone out, so the next epoch's count seldom waits behind it. Every 2 s
    /// rather than 1 s: an epoch count that arrives while a chart draws waits for it, and half the draws gave the latency
    /// benchmark's p95 79/53/81 ms against 87-111 ms (decision 0011); a run slower than an epoch in 2 s still gets each
    /// epoch's points drawn at once.
    /// </summary>
    public static readonly TimeSpan ChartInterval = TimeSpan.FromSeconds(2);

    /// <summary>When no further event comes to draw the last changes, a scheduled redraw does, this much after it is due.</summary>
    private static readonly TimeSpan TrailingChartSlack = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _disposed = new();
    private readonly List<TrainingEvent> _early = [];
    private IDisposable? _subscription;
    private RenderThrottle? _throttle;
    private RunLiveState? _state;
    private bool _loaded;
    private IReadOnlyList<ChartView> _charts = [];
    private IReadOnlyList<ChartView> _systemCharts = [];
    private RunProgressPanel? _progress;
    private IReadOnlyList<ConfigRow> _configRows = [];
    private string _configJson = "";
    private string? _notesDraft;
    private string? _newTag;
    private string? _tagError;
    private string? _actionMessage;
    private string? _actionError;
    private bool _busy;

    [Inject] private IDbContextFactory<TrackerDbContext> Contexts { get; set; } = default!;
    [Inject] private RunNotifier Notifier { get; set; } = default!;
    [Inject] private StorageHealth Storage { get; set; } = default!;
    [Inject] private RunSubmission Submission { get; set; } = default!;
    [Inject] private RunTrash Trash { get; set; } = default!;
    [Inject] private RunActions Actions { get; set; } = default!;
    [Inject] private RunCheckpoints Checkpoints { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private ILogger<RunView> Logger { get; set; } = default!;

    /// <summary>The run to show.</summary>
    [Parameter, EditorRequired] public long RunId { get; set; }

    /// <summary>Hides every action (cancel, clone, retry, notes and tag edits), as a share link shows the run.</summary>
    [Parameter] public bool ReadOnly { get; set; }

    [CascadingParameter] private Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState>? AuthenticationState { get; set; }

    [Inject] private Tracker.Web.Security.AuditLog Audit { get; set; } = default!;

    private System.Security.Claims.ClaimsPrincipal _user = new();

    /// <summary>Clone and share: a member or an admin.</summary>
    private bool MayWrite => !ReadOnly && Tracker.Web.Security.AccessHandler.Allows(_user, Tracker.Web.Security.Access.Write);

    /// <summary>Cancel, retry, tags and notes: the run's owner or an admin.</summary>
    private bool MayChange => MayWrite && _state is not null && Tracker.Web.Security.TrackerClaims.MayChangeRun(_user, _state.Detail.Owner);

    protected override async Task OnInitializedAsync()
    {
        _throttle = new RenderThrottle(ChartInterval, Time, TrailingChartSlack);
        // Subscribed before the database is read, so no event falls between the two; the overlap counts once.
        if (RendererInfo.IsInteractive)
        {
            _subscription = Notifier.Subscribe(RunId, OnTrainingEventAsync);
            Storage.Changed += OnStorageChanged;
        }
        await LoadAsync();
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        Storage.Changed -= OnStorageChanged;
        // Cancelled, not disposed: background renders and polls still read its token and must see it cancelled.
        _disposed.Cancel();
    }

    private async Task LoadAsync()
    {
        if (AuthenticationState is not null) _user = (await AuthenticationState).User;
        await using var context = await Contexts.CreateDbContextAsync(_disposed.Token);
        var detail = await RunQueries.FindAsync(context, RunId, _disposed.Token);
        if (detail is not null)
        {
            // The config as the database parsed it: read here, never re-serialized except for the raw JSON shown.
            // What a chart's width can show: a million-point key would otherwise be read and drawn whole.
            var metrics = await MetricQueries.DownsampledSeriesAsync(context, RunId, keys: null, MetricQueries.ChartPoints, _disposed.Token);
            _state = new RunLiveState(detail, metrics);
            _configRows = ConfigRows.Of(detail.Config);
            _configJson = RunConfigJson.Serialize(detail.Config, indented: true);
            _notesDraft = detail.Notes;
            (_name, _archived) = (detail.Name, detail.Archived is not null);
            foreach (var trainingEvent in _early) _state.Apply(trainingEvent);
            if (_early.Any(e => e is RunFinishedEvent)) _ = RefreshFinishedAsync();
            _early.Clear();
            RefreshCharts();
        }
        else
            _trashed = await Trash.FindAsync(RunId, _disposed.Token);
        _loaded = true;
    }

    /// <summary>
    /// Called on the sink's thread. The dispatcher runs the work inline when the circuit is idle, so the render happens
    /// here and the sink's next batch waits for it (decision 0011 measured both ways); a busy circuit queues it instead.
    /// </summary>
    private Task OnTrainingEventAsync(TrainingEvent trainingEvent)
    {
        _ = DispatchAsync(() => Apply(trainingEvent));
        return Task.CompletedTask;
    }

    /// <summary>The storage error shows (and goes) while the run trains, without waiting for an event that cannot be stored.</summary>
    private void OnStorageChanged() => _ = DispatchAsync(StateHasChanged);

    private void Apply(TrainingEvent trainingEvent)
    {
        if (_state is null)
        {
            if (!_loaded) _early.Add(trainingEvent);
            return;
        }
        var statusBefore = _state.Status;
        var urgent = _state.Apply(trainingEvent);
        // The finished event is announced only once the queue has recorded the end: one read gets the final times.
        if (trainingEvent is RunFinishedEvent) _ = RefreshFinishedAsync();
        // A checkpoint changes nothing the page shows; redrawing the charts for it kept the circuit busy when the
        // next epoch arrived, and the epoch count waited (benchmarks/latency, decision 0011).
        if (trainingEvent is CheckpointEvent) return;
        RequestRender(urgent, progressOnly: trainingEvent is EpochEvent && _state.Status == statusBefore);
    }

    /// <summary>
    /// An urgent change renders at once without the charts, so the epoch count and status reach the browser first; the
    /// charts (and the metric table) follow in a render of their own when the throttle says they are due, else later. A
    /// new epoch alone renders only the progress panel: the whole page (its MudBlazor buttons and fields) is a much larger
    /// render and diff, on the two cores the trainer uses too, and all else it shows of an epoch can wait for the charts.
    /// </summary>
    private void RequestRender(bool urgent, bool progressOnly = false)
    {
        if (urgent && progressOnly && _progress is not null) _progress.Refresh();
        else if (urgent) StateHasChanged();
        var decision = _throttle!.OnChange();
        if (decision.Now && urgent)
            _ = DispatchAsync(RenderCharts);
        else if (decision.Now)
            RenderCharts();
        else if (decision.Delay is { } delay)
            _ = RenderLaterAsync(delay, decision.Ticket);
    }

    private void RenderCharts()
    {
        RefreshCharts();
        StateHasChanged();
        _throttle?.Rendered();
    }

    private async Task RenderLaterAsync(TimeSpan delay, long ticket)
    {
        try
        {
            await Task.Delay(delay, Time, _disposed.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await DispatchAsync(() =>
        {
            if (_throttle!.IsDue(ticket)) RenderCharts();
        });
    }

    private async Task DispatchAsync(Action action)
    {
        if (_disposed.IsCancellationRequested) return;
        try
        {
            await InvokeAsync(action);
        }
        catch (Exception error) when (!_disposed.IsCancellationRequested)
        {
            Logger.LogWarning(error, "The view of run {RunId} could not apply a live update", RunId);
        }
        catch (Exception)
        {
            // The circuit went away meanwhile; nobody is looking.
        }
    }

    private async Task RefreshFinishedAsync()
    {
        try
        {
            await using var context = await Contexts.CreateDbContextAsync(_disposed.Token);
            if (await RunQueries.FindAsync(context, RunId, _disposed.Token) is not { } detail) return;
            await DispatchAsync(() =>
            {
                _state?.Refresh(detail);
                RenderCharts();
            });
        }
        catch (OperationCanceledException)
        {
            // The view went away.
        }
    }

    private async Task ReloadStatusAsync()
    {
        await using var context = await Contexts.CreateDbContextAsync(_disposed.Token);
        if (await RunQueries.FindAsync(context, RunId, _disposed.Token) is { } detail) _state?.Refresh(detail);
    }

    /// <summary>Asked for only after "Cancel run" was confirmed.</summary>
    private bool _confirmingCancel;

    private async Task CancelAsync()
    {
        await RunActionAsync(async () =>
        {
            _confirmingCancel = false;
            var result = await Actions.CancelAsync(RunId, _user, _disposed.Token);
            _actionMessage = result.Outcome switch
            {
                RunActionOutcome.Done => "The run left the queue, cancelled.",
                RunActionOutcome.StopRequested => "Cancel requested: the run stops within a step.",
                RunActionOutcome.AlreadyFinished => "The run had already finished.",
                RunActionOutcome.LoggedByScript => "The run is logged by a script; the script finishes it.",
                RunActionOutcome.NotYours => "Only the run's owner or an admin may cancel it.",
                _ => $"There is no run {RunId}.",
            };
            // A running run's finished event follows once the worker has recorded the cancel.
            await ReloadStatusAsync();
        });
    }

    private async Task RetryAsync()
    {
        await RunActionAsync(async () =>
        {
            var result = await Submission.RetryAsync(RunId, _disposed.Token);
            if (result.RunId is { } newRunId)
            {
                await Audit.RecordAsync(_user, Tracker.Web.Data.AuditActions.Retry, $"run {RunId}", $"as run {newRunId}");
                Navigation.NavigateTo(AppUrls.Run(newRunId));
            }
            else
                _actionError = string.Join(" ", result.Errors.Select(e => e.Message));
        });
    }

    /// <summary>Asked for only after "Delete…" was confirmed; the page then says the run is in the trash and offers the restore.</summary>
    private bool _confirmingDelete;

    /// <summary>The run as the trash holds it, when it is there rather than nowhere.</summary>
    private TrashedRun? _trashed;

    private async Task DeleteAsync()
    {
        await RunActionAsync(async () =>
        {
            _confirmingDelete = false;
            var result = await Actions.DeleteAsync(RunId, _user, _disposed.Token);
            if (result.Outcome is RunActionOutcome.Done)
                await ReloadAsync();
            else
                _actionError = result.Outcome switch
                {
                    RunActionOutcome.StillActive => "The run is queued or running again; cancel it first.",
                    RunActionOutcome.NotYours => "Only the run's owner or an admin may delete it.",
                    _ => $"There is no run {RunId}.",
                };
        });
    }

    private async Task RestoreAsync()
    {
        if (_busy) return;
        _busy = true;
        _actionError = null;
        try
        {
            var result = await Actions.RestoreAsync(RunId, _user, _disposed.Token);
            if (result.Outcome is RunActionOutcome.Done)
            {
                await ReloadAsync();
                _actionMessage = "Restored from the trash.";
            }
            else
                _actionError = result.Outcome is RunActionOutcome.NotYours
                    ? "Only the run's owner or an admin may restore it."
                    : $"Run {RunId} is no longer in the trash.";
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>Reads the run afresh, after it went to the trash or came back.</summary>
    private async Task ReloadAsync()
    {
        _state = null;
        _trashed = null;
        await LoadAsync();
    }

    /// <summary>The name and archived mark as the header shows them; changed here, not in the live state, which training owns.</summary>
    private string _name = "";
    private bool _archived;
    private bool _renaming;
    private string? _nameDraft;
    private string? _nameError;

    private void StartRenaming()
    {
        _nameDraft = _name;
        _nameError = null;
        _renaming = true;
    }

    private void StopRenaming() => _renaming = false;

    private async Task RenameAsync()
    {
        await RunActionAsync(async () =>
        {
            var result = await Actions.RenameAsync(RunId, _nameDraft, _user, _disposed.Token);
            if (result.Outcome is RunActionOutcome.Done)
            {
                _name = _nameDraft!.Trim();
                _renaming = false;
                _actionMessage = "Renamed.";
            }
            else
                _nameError = result.Outcome switch
                {
                    RunActionOutcome.Invalid => result.Problem,
                    RunActionOutcome.NotYours => "Only the run's owner or an admin may rename it.",
                    _ => $"There is no run {RunId}.",
                };
        });
    }

    private async Task ToggleArchivedAsync()
    {
        await RunActionAsync(async () =>
        {
            var archive = !_archived;
            var result = await Actions.SetArchivedAsync(RunId, archive, _user, _disposed.Token);
            if (result.Outcome is RunActionOutcome.Done)
            {
                _archived = archive;
                _actionMessage = archive ? "Archived: the runs list leaves it out unless it shows archived runs." : "Unarchived: back in the runs list.";
            }
            else
                _actionError = result.Outcome is RunActionOutcome.NotYours ? "Only the run's owner or an admin may archive it." : $"There is no run {RunId}.";
        });
    }

    private async Task SaveNotesAsync()
    {
        await RunActionAsync(async () =>
        {
            await using var context = await Contexts.CreateDbContextAsync(_disposed.Token);
            if (!await RunAnnotations.SetNotesAsync(context, RunId, _notesDraft, _disposed.Token))
            {
                _actionError = $"There is no run {RunId}.";
                return;
            }
            _state!.Notes = string.IsNullOrWhiteSpace(_notesDraft) ? null : _notesDraft;
            _actionMessage = "Notes saved.";
        });
    }

    private async Task AddTagAsync()
    {
        await RunActionAsync(async () =>
        {
            await using var context = await Contexts.CreateDbContextAsync(_disposed.Token);
            var result = await RunAnnotations.AddTagAsync(context, RunId, _newTag, _disposed.Token);
            _state!.Tags = result.Tags;
            _tagError = result.Error;
            if (result.Succeeded) _newTag = null;
        });
    }

    private async Task RemoveTagAsync(string tag)
    {
        await RunActionAsync(async () =>
        {
            await using var context = await Contexts.CreateDbContextAsync(_disposed.Token);
            var result = await RunAnnotations.RemoveTagAsync(context, RunId, tag, _disposed.Token);
            _state!.Tags = result.Tags;
            _tagError = result.Error;
        });
    }

    /// <summary>One action at a time; its failure is shown, not thrown at the circuit.</summary>
    private async Task RunActionAsync(Func<Task> action)
    {
        if (!MayChange || _busy) return;
        _busy = true;
        _actionMessage = null;
        _actionError = null;
        try
        {
            await action();
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            Logger.LogError(error, "An action on run {RunId} failed", RunId);
            _actionError = $"That did not work: {error.Message}";
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>
    /// A step line the user zoomed into: the window's points at full detail (downsampled to the chart's width again),
    /// merged into the loaded line in place of its coarser points there. <see cref="Merged"/> is cached per
    /// <see cref="Source"/> list, so an unchanged line is not redrawn.
    /// </summary>
    private sealed record ZoomedLine(long From, long To, IReadOnlyList<ChartPoint> Detail,
        IReadOnlyList<ChartPoint>? Source = null, IReadOnlyList<ChartPoint>? Merged = null);

    private readonly Dictionary<string, ZoomedLine> _zoomed = [];
    private readonly Dictionary<string, CancellationTokenSource> _zoomFetches = [];

    /// <summary>Step charts zoom and fetch detail; epoch charts hold at most a few hundred points and do not.</summary>
    private EventCallback<ChartWindow?> ZoomHandler(ChartView chart) =>
        chart.XTitle == "step" ? EventCallback.Factory.Create<ChartWindow?>(this, window => OnZoomedAsync(chart, window)) : default;

    private async Task OnZoomedAsync(ChartView chart, ChartWindow? window)
    {
        var keys = chart.Lines.Select(line => line.Name).ToList();
        if (_zoomFetches.Remove(chart.Title, out var previous)) await previous.CancelAsync();
        if (window is null)
        {
            foreach (var key in keys) _zoomed.Remove(key);
            RenderCharts();
            return;
        }
        using var fetch = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        _zoomFetches[chart.Title] = fetch;
        try
        {
            await Task.Delay(ChartWindow.Settle, fetch.Token);
            var (from, to) = ((long)Math.Max(0, Math.Floor(window.From)), (long)Math.Max(0, Math.Ceiling(window.To)));
            await using var context = await Contexts.CreateDbContextAsync(fetch.Token);
            var metrics = await MetricQueries.DownsampledSeriesAsync(context, RunId, keys, MetricQueries.ChartPoints, fetch.Token, from, to);
            foreach (var series in metrics.Series)
                _zoomed[series.Key] = new ZoomedLine(from, to, [.. series.Points.Select(p => new ChartPoint(p.Step, p.Value))]);
            RenderCharts();
        }
        catch (OperationCanceledException)
        {
            // A later zoom (or leaving the page) replaced this one.
        }
        finally
        {
            if (_zoomFetches.TryGetValue(chart.Title, out var current) && current == fetch) _zoomFetches.Remove(chart.Title);
        }
    }

    /// <summary><paramref name="line"/> with a zoomed window's detail in place of its own points there.</summary>
    private IReadOnlyList<ChartPoint> Detailed(string key, IReadOnlyList<ChartPoint> line)
    {
        if (!_zoomed.TryGetValue(key, out var zoom)) return line;
        if (ReferenceEquals(zoom.Source, line) && zoom.Merged is { } cached) return cached;
        List<ChartPoint> merged = [.. line.Where(p => p.X < zoom.From), .. zoom.Detail, .. line.Where(p => p.X > zoom.To)];
        _zoomed[key] = zoom with { Source = line, Merged = merged };
        return merged;
    }

    /// <summary>One chart as the view last drew it; <see cref="Waiting"/> stands in for it while it has no point.</summary>
    private sealed record ChartView(string Title, string XTitle, bool ShowMarkers, IReadOnlyList<ChartLine> Lines, string? Waiting = null);

    /// <summary>Takes the charts' current points from the state; a chart whose lists did not change is not redrawn.</summary>
    private void RefreshCharts()
    {
        if (_state is not { } state) return;
        IReadOnlyList<ChartLine> EpochLines(params string[] keys) =>
            keys.Where(state.Has).Select(key => new ChartLine(key, state.EpochSeries(key))).Where(line => line.Points.Count > 0).ToList();
        ChartView EpochChart(string title, params string[] keys) =>
            EpochLines(keys) is { Count: > 0 } lines ? new(title, "epoch", true, lines) : new(title, "epoch", true, [], ChartPlaceholders.Epoch(state));
        var charts = new List<ChartView>
        {
            EpochChart("Loss", MetricKeys.TrainLoss, MetricKeys.ValLoss),
            EpochChart("Accuracy", MetricKeys.TrainAcc, MetricKeys.ValAcc, MetricKeys.ValAcc5),
        };
        // Step-level metrics, each chart once the run reports one of its keys; before that, a chart the engine will fill
        // (a queued or running run the queue trains) shows when its first point is due. A script's run reports what it likes.
        var config = state.Config;
        var expecting = state.IsActive && !state.Detail.LoggedByScript;
        void AddStepChart(string title, bool showMarkers, string? waiting, params string[] keys)
        {
            if (keys.Any(state.Has))
                charts.Add(new ChartView(title, "step", showMarkers, keys.Where(state.Has).Select(key => new ChartLine(key, Detailed(key, state.StepSeries(key)))).ToList()));
            else if (expecting && waiting is not null)
                charts.Add(new ChartView(title, "step", showMarkers, [], waiting));
        }
        // Step events carry the training loss, learning rate and drop rates, and so does every epoch's end.
        var stepWaiting = ChartPlaceholders.Step(state, config.StepEventEvery, alsoAtEpochEnds: true);
        var analysisWaiting = config.Analysis.EverySteps > 0 ? ChartPlaceholders.Step(state, config.Analysis.EverySteps, alsoAtEpochEnds: false) : null;
        AddStepChart("Training loss by step", false, stepWaiting, MetricKeys.TrainLoss);
        AddStepChart("Drop rates as scheduled", false, config.Dropout.Rate > 0 || config.DropPath.Rate > 0 ? stepWaiting : null, MetricKeys.DropoutRate, MetricKeys.DropPathRate);
        AddStepChart("Learning rate", false, stepWaiting, MetricKeys.LearningRate);
        AddStepChart("Gradient norm", true, analysisWaiting, MetricKeys.GradNorm);
        AddStepChart("Distance from initialisation", true, analysisWaiting, MetricKeys.WeightsDistInit);
        AddStepChart("Gradient direction", true, config.Analysis.Gradients ? analysisWaiting : null, MetricKeys.GradDirVariance, MetricKeys.GradDirError);
        _charts = charts;
        _systemCharts = SystemCharts.For(state.Keys)
            .Select(chart => new ChartView(chart.Title, "step", false, chart.Keys.Select(key => new ChartLine(key, Detailed(key, state.StepSeries(key)))).ToList()))
            .ToList();
    }

    private static string When(DateTime? time) =>
        time is { } value ? value.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "—";

    private static string Number(double value) => value.ToString("G5", CultureInfo.InvariantCulture);

    /// <summary>The best value of keys that have a direction (losses down, accuracies up); null for the others.</summary>
    private static double? Best(string key, MetricSummary summary) =>
        !MetricKeys.HasBest(key) ? null : MetricKeys.HigherIsBetter(key) ? summary.Max : summary.Min;

    public static string Duration(TimeSpan? span)
    {
        if (span is not { } value) return "—";
        if (value.TotalSeconds < 1) return "under a second";
        if (value.TotalMinutes < 1) return $"{(int)value.TotalSeconds} s";
        if (value.TotalHours < 1) return $"{(int)value.TotalMinutes} min {value.Seconds} s";
        return $"{(int)value.TotalHours} h {value.Minutes} min";
    }
}
