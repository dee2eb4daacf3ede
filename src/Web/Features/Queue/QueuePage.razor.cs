using Microsoft.AspNetCore.Components;
using Tracker.Web.Data;
using Tracker.Web.Jobs;

namespace Tracker.Web.Features.Queue;

/// <summary>
/// The jobs not yet finished, reorderable and cancellable. The queue changes from anywhere (other tabs, the API,
/// workers of other processes), so the page re-reads it on a timer rather than listening to one run's events.
/// </summary>
public partial class QueuePage
{
    private const int RefreshSeconds = 2;

    private readonly CancellationTokenSource _stop = new();
    private IReadOnlyList<QueueEntry>? _entries;
    private string? _problem;

    [Inject] private QueueOrder Queue { get; set; } = default!;
    [Inject] private JobLeases Leases { get; set; } = default!;
    [Inject] private Microsoft.EntityFrameworkCore.IDbContextFactory<TrackerDbContext> Contexts { get; set; } = default!;
    [Inject] private Tracker.Web.Security.AuditLog Audit { get; set; } = default!;
    [CascadingParameter] private Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState> AuthenticationState { get; set; } = default!;
    private System.Security.Claims.ClaimsPrincipal _user = new();
    private IReadOnlyDictionary<long, string?> _owners = new Dictionary<long, string?>();

    /// <summary>Moving and cancelling a job: its run's owner, or an admin.</summary>
    private bool MayChange(QueueEntry entry) =>
        _owners.TryGetValue(entry.RunId, out var owner) && Tracker.Web.Security.TrackerClaims.MayChangeRun(_user, owner);

    [Inject] private TimeProvider Time { get; set; } = default!;

    [Inject] private ILogger<QueuePage> Logger { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _user = (await AuthenticationState).User;
        await LoadAsync();
        _ = RefreshUntilDisposedAsync();
    }

    private async Task RefreshUntilDisposedAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(RefreshSeconds), Time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                await InvokeAsync(async () =>
                {
                    await LoadAsync();
                    StateHasChanged();
                });
        }
        catch (OperationCanceledException)
        {
            // The page was closed.
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            _entries = await Queue.ListAsync(_stop.Token);
            await using var context = await Contexts.CreateDbContextAsync(_stop.Token);
            _owners = await Features.Runs.RunQueries.OwnersAsync(context, _entries.Select(e => e.RunId).ToList(), _stop.Token);
            _problem = null;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Keep showing the last list; a database hiccup must not end the circuit.
            Logger.LogWarning(error, "Reading the queue failed");
            _problem = $"The queue could not be read: {error.Message}";
        }
    }

    private async Task MoveAsync(QueueEntry entry, QueueMove move)
    {
        if (!MayChange(entry)) return;
        if (!await Queue.MoveAsync(entry.RunId, move, _stop.Token))
            _problem = $"{entry.Name} is no longer queued.";
        await LoadAsync();
    }

    private async Task CancelAsync(QueueEntry entry)
    {
        if (!MayChange(entry)) return;
        var result = await Leases.CancelAsync(entry.RunId, _stop.Token);
        if (result is CancelResult.Cancelled or CancelResult.CancelRequested)
            await Audit.RecordAsync(_user, AuditActions.Cancel, $"run {entry.RunId}");
        _problem = result is CancelResult.NotFound or CancelResult.AlreadyFinished ? $"{entry.Name} has already finished." : null;
        await LoadAsync();
    }

    private int Position(QueueEntry entry) => _entries is null ? 0 : _entries.ToList().IndexOf(entry) + 1;

    private string Ago(DateTime? utc)
    {
        if (utc is not { } time) return "never";
        var age = Time.GetUtcNow().UtcDateTime - time;
        return age.TotalSeconds < 60 ? $"{Math.Max(0, (int)age.TotalSeconds)} s ago"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes} min ago"
            : $"{(int)age.TotalHours} h ago";
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
