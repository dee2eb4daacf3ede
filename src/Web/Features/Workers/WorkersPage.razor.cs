using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Security;

namespace Tracker.Web.Features.Workers;

/// <summary>
/// The remote workers (decision 0065) as GET /api/workers lists them, re-read on a timer like the queue; an admin drains,
/// disables or enables one here with the same effect and audit entry as the API.
/// </summary>
public partial class WorkersPage
{
    private const int RefreshSeconds = 5;

    private readonly CancellationTokenSource _stop = new();
    private IReadOnlyList<WorkerSummary>? _workers;
    private string? _problem;
    private bool _admin;
    private System.Security.Claims.ClaimsPrincipal _user = new();

    [Inject] private RemoteWorkers Registry { get; set; } = default!;
    [Inject] private AuditLog Audit { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _user = (await AuthenticationState).User;
        _admin = TrackerClaims.IsAdmin(_user);
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
            _workers = await Registry.ListAsync(_stop.Token);
            _problem = null;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            _problem = $"The workers could not be read: {error.Message}";
        }
    }

    private async Task SetStateAsync(WorkerSummary worker, WorkerState state)
    {
        if (!_admin) return; // the buttons show only to admins; the check stays with the action
        var released = await Registry.SetStateAsync(worker.Id, state, _stop.Token);
        if (released is null)
        {
            _problem = $"Worker {worker.Name} is gone.";
            return;
        }
        var detail = released > 0 ? $"{state.ToString().ToLowerInvariant()}; {released} run(s) back to the queue" : state.ToString().ToLowerInvariant();
        await Audit.RecordAsync(_user, AuditActions.SetWorkerState, $"worker:{worker.Id}", detail, _stop.Token);
        await LoadAsync();
    }

    private string Ago(DateTime time)
    {
        var seconds = Math.Max(0, (Time.GetUtcNow().UtcDateTime - time).TotalSeconds);
        return seconds < 90 ? $"{seconds:0} s ago" : seconds < 5400 ? $"{seconds / 60:0} min ago" : $"{seconds / 3600:0.#} h ago";
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
