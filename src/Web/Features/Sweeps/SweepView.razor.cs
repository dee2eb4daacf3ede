using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Realtime;

namespace Tracker.Web.Features.Sweeps;

/// <summary>
/// The runs of one sweep with their status, progress and best val/acc, kept current while they train: training
/// events of its runs trigger a re-read, and a short timer catches what no event reports (a run claimed or finished
/// by the queue, or trained by another process).
/// </summary>
public partial class SweepView : IDisposable
{
    [Inject] private IDbContextFactory<TrackerDbContext> Contexts { get; set; } = default!;
    [Inject] private RunNotifier Notifier { get; set; } = default!;
    [Inject] private JobLeases Leases { get; set; } = default!;
    [Inject] private Tracker.Web.Security.AuditLog Audit { get; set; } = default!;
    [CascadingParameter] private Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState>? AuthenticationState { get; set; }
    private System.Security.Claims.ClaimsPrincipal _user = new();
    private bool _mayWrite;

    private async Task ReadUserAsync()
    {
        if (AuthenticationState is not null) _user = (await AuthenticationState).User;
        _mayWrite = !ReadOnly && Tracker.Web.Security.AccessHandler.Allows(_user, Tracker.Web.Security.Access.Write);
    }

    /// <summary>The sweep to show.</summary>
    [Parameter, EditorRequired] public string SweepId { get; set; } = "";

    /// <summary>Hides every action (cancel, links into the app) for a read-only share.</summary>
    [Parameter] public bool ReadOnly { get; set; }

    private SweepDetail? _sweep;
    private bool _loaded;
    private bool _cancelling;
    private string? _shownSweepId;
    private readonly List<IDisposable> _subscriptions = [];
    // 0 idle, 1 a re-read is queued or running, 2 another event came meanwhile: a burst of step events costs at most
    // two queries, and the last event (a run's end, announced after it is recorded) is always read after it came.
    private int _refreshState;

    private string CompareUrl => AppUrls.CompareRuns(_sweep!.Runs.Select(r => r.Id));

    protected override async Task OnParametersSetAsync()
    {
        await ReadUserAsync();
        if (_shownSweepId == SweepId) return;
        _shownSweepId = SweepId;
        StopWatching();
        await LoadAsync();
        if (_sweep is null) return;
        foreach (var run in _sweep.Runs.Where(r => r.Status.IsActive()))
            _subscriptions.Add(Notifier.Subscribe(run.Id, _ => RefreshSoonAsync()));
        // A run that finished between the read and its subscription announced it to nobody: read once more.
        if (_subscriptions.Count > 0) await LoadAsync();
    }

    private async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        await using var context = await Contexts.CreateDbContextAsync(cancellationToken);
        _sweep = await SweepQueries.FindAsync(context, SweepId, cancellationToken);
        _loaded = true;
    }

    private async Task RefreshSoonAsync()
    {
        if (Interlocked.Exchange(ref _refreshState, 2) != 0) return; // the running re-read goes once more
        try
        {
            do
            {
                Volatile.Write(ref _refreshState, 1);
                await InvokeAsync(async () =>
                {
                    await LoadAsync();
                    StateHasChanged();
                });
            } while (Interlocked.CompareExchange(ref _refreshState, 0, 1) == 2);
        }
        catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException)
        {
            Volatile.Write(ref _refreshState, 0); // the view went away
        }
    }

    private async Task CancelUnfinishedAsync()
    {
        if (_sweep is null || !_mayWrite) return;
        _cancelling = true;
        try
        {
            var unfinished = _sweep.Runs.Where(r => r.Status.IsActive()).Select(r => r.Id).ToList();
            IReadOnlyDictionary<long, string?> owners;
            await using (var context = await Contexts.CreateDbContextAsync())
                owners = await Runs.RunQueries.OwnersAsync(context, unfinished, CancellationToken.None);
            // Only the runs this user may change: their own, or any for an admin.
            foreach (var id in unfinished.Where(id => owners.TryGetValue(id, out var owner) && Tracker.Web.Security.TrackerClaims.MayChangeRun(_user, owner)))
                if (await Leases.CancelAsync(id) is CancelResult.Cancelled or CancelResult.CancelRequested)
                    await Audit.RecordAsync(_user, AuditActions.Cancel, $"run {id}");
            await LoadAsync();
        }
        finally
        {
            _cancelling = false;
        }
    }

    private void StopWatching()
    {
        foreach (var subscription in _subscriptions) subscription.Dispose();
        _subscriptions.Clear();
    }

    public void Dispose() => StopWatching();
}
