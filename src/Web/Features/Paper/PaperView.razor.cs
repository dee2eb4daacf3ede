using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;

namespace Tracker.Web.Features.Paper;

/// <summary>
/// The paper's published tables beside the same tables filled from this instance's runs, and the downstream
/// (fine-tuning) table. Live: a table refreshes when one of its queued or running runs finishes.
/// </summary>
public sealed partial class PaperView : IDisposable
{
    [Inject] private IDbContextFactory<TrackerDbContext> Contexts { get; set; } = default!;
    [Inject] private RunSubmission Submission { get; set; } = default!;
    [Inject] private Tracker.Web.Security.AuditLog Audit { get; set; } = default!;
    [CascadingParameter] private Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState>? AuthenticationState { get; set; }
    private System.Security.Claims.ClaimsPrincipal _user = new();
    private bool _mayWrite;

    private async Task ReadUserAsync()
    {
        if (AuthenticationState is not null) _user = (await AuthenticationState).User;
        _mayWrite = !ReadOnly && Tracker.Web.Security.AccessHandler.Allows(_user, Tracker.Web.Security.Access.Write);
    }
    [Inject] private RunNotifier Notifier { get; set; } = default!;
    [Inject] private RunCheckpoints Checkpoints { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ILogger<PaperView> Logger { get; set; } = default!;

    /// <summary>Hides every action (run missing cells, fine-tune), as a share link shows the view.</summary>
    [Parameter] public bool ReadOnly { get; set; }

    /// <summary>The id of the one table to show (its permalink); null shows every table.</summary>
    [Parameter] public string? TableId { get; set; }

    private readonly ReferenceResults _reference = ReferenceResults.Load();
    private readonly Dictionary<long, IDisposable> _subscriptions = [];
    private readonly CancellationTokenSource _disposed = new();
    private Dictionary<string, InstanceTable> _instances = [];
    private Dictionary<string, IReadOnlyList<MissingRun>> _missing = [];
    private DownstreamTable _downstream = new([], []);
    private IReadOnlyList<FineTuneCandidate> _candidates = [];
    private IReadOnlyList<DownstreamTask> _tasks = [];
    private bool _loaded;

    private string? _submittingTable;
    private readonly Dictionary<string, IReadOnlyList<string>> _submitErrors = [];

    private IReadOnlyCollection<long> _selectedParents = [];
    private string? _selectedTask;
    private bool _fineTuning;
    private IReadOnlyList<string> _fineTuneErrors = [];

    private IEnumerable<ReferenceTable> ShownTables =>
        TableId is null ? _reference.Tables : _reference.Tables.Where(t => t.Id == TableId);

    private bool ShowsDownstream => TableId is null or DownstreamId;

    /// <summary>The downstream section's anchor and permalink id.</summary>
    private const string DownstreamId = PaperPresets.DownstreamTableId;

    protected override async Task OnParametersSetAsync()
    {
        await ReadUserAsync();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var cancellation = _disposed.Token;
        IReadOnlyList<PaperRun> runs;
        IReadOnlyList<FineTunedRun> fineTuned;
        await using (var context = await Contexts.CreateDbContextAsync(cancellation))
        {
            runs = await PaperQueries.TaggedRunsAsync(context, PaperPresets.Specs.Select(s => s.RunsTag), cancellation);
            fineTuned = await PaperQueries.FineTunedRunsAsync(context, cancellation);
            if (!ReadOnly)
            {
                var candidates = await PaperQueries.FineTuneCandidatesAsync(context, cancellation);
                _candidates = candidates.Where(c => Checkpoints.Exists(c.Id)).ToList();
                _tasks = PaperPresets.DownstreamTasks(PaperPresets.InstalledDatasets());
                _selectedTask ??= _tasks.FirstOrDefault()?.Key;
            }
        }
        _instances = [];
        _missing = [];
        foreach (var spec in PaperPresets.Specs)
        {
            if (_reference.Table(spec.TableId) is not { } reference) continue;
            _instances[spec.TableId] = PaperTables.Build(spec, reference, runs);
            _missing[spec.TableId] = PaperTables.Missing(spec, reference, runs);
        }
        _downstream = PaperTables.BuildDownstream(fineTuned);
        _loaded = true;

        var active = runs.Where(r => r.Status.IsActive()).Select(r => r.Id)
            .Concat(fineTuned.Where(r => r.Status.IsActive()).Select(r => r.Id));
        var subscribedNew = false;
        foreach (var runId in active)
        {
            if (_subscriptions.ContainsKey(runId)) continue;
            _subscriptions[runId] = Notifier.Subscribe(runId, e => OnRunEventAsync(runId, e));
            subscribedNew = true;
        }
        // A run that finished between the read and the subscription sent its event to nobody: read once more.
        if (subscribedNew) await LoadAsync();
    }

    private Task OnRunEventAsync(long runId, TrainingEvent trainingEvent)
    {
        // Not awaited, so the announcing thread moves on. The finished event is announced only after the queue has
        // recorded the outcome, so one read shows it.
        if (trainingEvent is RunFinishedEvent) _ = RefreshRecordedAsync(runId);
        return Task.CompletedTask;
    }

    private async Task RefreshRecordedAsync(long runId)
    {
        var cancellation = _disposed.Token;
        try
        {
            await InvokeAsync(async () =>
            {
                if (_subscriptions.Remove(runId, out var subscription)) subscription.Dispose();
                await LoadAsync();
                StateHasChanged();
            });
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The view went away.
        }
        catch (Exception error)
        {
            Logger.LogWarning(error, "The paper view could not refresh after run {RunId} finished", runId);
        }
    }

    private async Task RunMissingAsync(InstanceTableSpec spec)
    {
        if (!_mayWrite || _submittingTable is not null) return;
        _submittingTable = spec.TableId;
        _submitErrors.Remove(spec.TableId);
        try
        {
            var configs = _missing[spec.TableId].Select(m => PaperPresets.ConfigFor(spec, m.Method, m.Model, m.Seed)).ToList();
            var result = await Submission.SubmitSweepAsync(configs, owner: Tracker.Web.Security.TrackerClaims.NameOf(_user), cancellationToken: _disposed.Token);
            if (result.Succeeded) await Audit.RecordAsync(_user, AuditActions.Submit, $"sweep {result.SweepId}", $"{result.RunIds.Count} run(s)");
            if (!result.Succeeded)
            {
                _submitErrors[spec.TableId] = result.Errors.Select(e => Describe(e, configs)).ToList();
                return;
            }
            NavigateToSubmitted(result);
        }
        finally
        {
            _submittingTable = null;
        }
    }

    private async Task FineTuneAsync()
    {
        if (!_mayWrite || _fineTuning) return;
        var parents = _selectedParents.ToList();
        var task = DownstreamTask.FromKey(_selectedTask);
        var problems = new List<string>();
        if (parents.Count == 0) problems.Add("Choose at least one pre-trained run.");
        if (task is null) problems.Add("Choose a downstream task.");
        _fineTuneErrors = problems;
        if (problems.Count > 0) return;

        _fineTuning = true;
        try
        {
            Dictionary<long, RunConfig> configsById;
            await using (var context = await Contexts.CreateDbContextAsync(_disposed.Token))
                configsById = await PaperQueries.SucceededConfigsAsync(context, parents, _disposed.Token);
            var gone = parents.Where(id => !configsById.ContainsKey(id) || !Checkpoints.Exists(id)).ToList();
            if (gone.Count > 0)
            {
                _fineTuneErrors = gone.Select(id => $"Run {id} has no final checkpoint to fine-tune from (not succeeded, or its checkpoint is gone).").ToList();
                return;
            }
            var configs = parents.Select(id => PaperPresets.FineTune(configsById[id], id, task!)).ToList();
            var result = await Submission.SubmitSweepAsync(configs, owner: Tracker.Web.Security.TrackerClaims.NameOf(_user), cancellationToken: _disposed.Token);
            if (result.Succeeded) await Audit.RecordAsync(_user, AuditActions.Submit, $"sweep {result.SweepId}", $"{result.RunIds.Count} run(s)");
            if (!result.Succeeded)
            {
                _fineTuneErrors = result.Errors.Select(e => Describe(e, configs)).ToList();
                return;
            }
            NavigateToSubmitted(result);
        }
        finally
        {
            _fineTuning = false;
        }
    }

    /// <summary>A sweep's page, or the run's own when the sweep was a single run (the queue gives one run no sweep id).</summary>
    private void NavigateToSubmitted(SweepSubmitResult result) =>
        Navigation.NavigateTo(result.SweepId is { } sweepId ? AppUrls.Sweep(sweepId) : AppUrls.Run(result.RunIds[0]));

    private static string Describe(SweepFieldError error, IReadOnlyList<RunConfig> configs) =>
        error.Index >= 0 && error.Index < configs.Count
            ? $"{configs[error.Index].Name}: {error.Error.Field}: {error.Error.Message}"
            : $"{error.Error.Field}: {error.Error.Message}";

    private static string MetricName(string metric) => metric switch
    {
        "top1" => "ImageNet-1K top-1 %",
        "train_loss" => "final training loss",
        "miou" => "mIoU",
        _ => metric,
    };

    private static string ColumnHeader(ModelColumn column) => $"{column.Model} (for {column.PaperColumn})";

    public void Dispose()
    {
        _disposed.Cancel();
        foreach (var subscription in _subscriptions.Values) subscription.Dispose();
        _subscriptions.Clear();
    }
}
