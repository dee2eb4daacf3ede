using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;
using Tracker.Web.Jobs;
using Tracker.Web.Features.Runs.Forms;
using Tracker.Web.Security;
using Tracker.Web.Features.Sweeps;

namespace Tracker.Web.Features.Runs;

/// <summary>
/// /runs/new: the whole run config as a form, checked by the engine's validator as it is typed, queued as one run or
/// as a sweep (methods x models x seeds). ?from={runId} starts from a run's config, ?preset= from a method preset.
/// </summary>
public partial class NewRunPage
{
    public enum SubmitMode
    {
        Single,
        Sweep,
    }

    [Inject] private IDbContextFactory<TrackerDbContext> Contexts { get; set; } = default!;
    [Inject] private RunSubmission Submission { get; set; } = default!;
    [Inject] private AuditLog Audit { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;
    [Inject] private SweepSubmitter Sweeps { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private ILogger<NewRunPage> Logger { get; set; } = default!;

    /// <summary>Set by a refused submit: the next render brings the first problem into view and focuses it.</summary>
    private bool _focusProblem;

    /// <summary>A run whose config fills the form.</summary>
    [SupplyParameterFromQuery(Name = "from")] public long? From { get; set; }

    /// <summary>A method preset (label or slug, e.g. "early-dropout") applied to the form.</summary>
    [SupplyParameterFromQuery(Name = "preset")] public string? Preset { get; set; }

    private readonly RunForm _form = new();
    private readonly SweepForm _sweep = new() { Models = [KnownModels.Mlp] };
    private readonly MedianStoppingInput _earlyStop = new();
    private IReadOnlyList<FieldError> _earlyStopErrors = [];
    private SubmitMode _mode = SubmitMode.Single;
    private (long? From, string? Preset)? _loaded;
    private readonly List<string> _notices = [];
    private readonly List<string> _problems = [];
    private IReadOnlyList<SweepErrorGroup> _sweepSubmitErrors = [];
    private bool _submitAttempted;
    private bool _submitting;
    private string? _json;
    private string? _jsonError;

    private static readonly IReadOnlyList<SubmitMode> Modes = [SubmitMode.Single, SubmitMode.Sweep];

    protected override async Task OnParametersSetAsync()
    {
        // Query changes reload the form; anything else (a re-render) keeps what was typed.
        if (_loaded == (From, Preset)) return;
        _loaded = (From, Preset);
        _notices.Clear();
        _problems.Clear();
        var config = new RunConfig();
        if (From is { } runId)
        {
            await using var context = await Contexts.CreateDbContextAsync();
            var (source, problem) = await RunQueries.ConfigAsync(context, runId, CancellationToken.None);
            if (source is not null)
            {
                // A clone with its source's name would be told apart only by its id.
                config = source with { Name = await RunNames.CopyNameAsync(context, source.Name, CancellationToken.None) };
                _notices.Add($"Filled from run {runId}'s config.");
            }
            else
            {
                _problems.Add($"{problem} The form shows the defaults.");
            }
        }
        _form.Load(config);
        if (!string.IsNullOrWhiteSpace(Preset))
        {
            if (PresetNames.Find(Preset) is { } method) _form.ApplyPreset(method);
            else _problems.Add($"Unknown preset '{Preset}'. Use one of: {string.Join(", ", Methods.All.Select(PresetNames.Slug))}.");
        }
    }

    private bool IsSweep => _mode == SubmitMode.Sweep;

    private bool IsShown(string path) => _form.IsShown(path) && !(IsSweep && SweepForm.SetsPerRun(path));

    private bool ShowsSection(ConfigSection section) =>
        RunConfigFields.All.Any(field => field.Section == section && IsShown(field.Path));

    // The page checks the form on every render; an input's change only has to ask for one.
    private static void InputChanged()
    {
    }

    /// <summary>What the page shows for the current form: computed on every render, so it can never be stale.</summary>
    private sealed record Verdict(RunFormErrors Fields, IReadOnlyList<FieldError> Top, IReadOnlyList<SweepErrorGroup> SweepRuns, SweepPlan? Plan)
    {
        public bool CanSubmit => Plan is null ? Fields.IsEmpty : Plan.CanSubmit;
    }

    private Verdict Check()
    {
        if (!IsSweep)
        {
            var errors = _form.Validate();
            return new Verdict(errors, errors.Unplaced, [], null);
        }
        var baseConfig = _form.ToConfig();
        var plan = _sweep.Plan(baseConfig);
        if (plan.Configs.Count > 0)
        {
            var (fields, runs) = plan.PlaceConfigErrors(IsShown);
            return new Verdict(fields, [], runs, plan);
        }
        // No grid yet: check the base as a run without regularizers, which is what every cell starts from.
        var baseErrors = RunFormErrors.Place(RunConfigValidator.Validate(MethodPresets.Apply(Methods.NoDropout, baseConfig)), IsShown);
        return new Verdict(baseErrors, baseErrors.Unplaced, [], plan);
    }

    private void ApplyPreset(string method)
    {
        _form.ApplyPreset(method);
        _submitAttempted = false;
    }

    private void OpenJson()
    {
        _json = RunConfigJson.Serialize(_form.ToConfig(), indented: true);
        _jsonError = null;
    }

    private void ApplyJson()
    {
        if (RunConfigJson.TryParse(_json, out var config, out var error))
        {
            _form.Load(config);
            _json = null;
            _jsonError = null;
        }
        else
        {
            // The text stays in the box so it can be fixed.
            _jsonError = error;
        }
    }

    private void CloseJson()
    {
        _json = null;
        _jsonError = null;
    }

    private async Task SubmitAsync()
    {
        if (_submitting) return;
        _submitAttempted = true;
        _sweepSubmitErrors = [];
        _problems.Clear();
        var verdict = Check();
        // Refused here or by the server below: the user is at the button and the problem may be a screen higher.
        if (!verdict.CanSubmit)
        {
            _focusProblem = true;
            return;
        }
        var user = (await AuthenticationState).User;
        if (!AccessHandler.Allows(user, Access.Write)) return; // the page's policy already keeps viewers out; the circuit may outlive a role change
        var owner = TrackerClaims.NameOf(user);

        _submitting = true;
        try
        {
            if (verdict.Plan is { } stoppedPlan && _earlyStop.Enabled)
            {
                // A sweep with a stopping rule needs its Sweep row, which holds the rule: the planner's path, as the API's.
                var (rule, ruleErrors) = _earlyStop.Read();
                _earlyStopErrors = ruleErrors;
                if (rule is null) return;
                var submission = await Sweeps.SubmitAsync(new PlannedSweep(SweepPlanner.Grid, stoppedPlan.Configs, SweepPlanner.GridDefinition(stoppedPlan.Grid), rule), user);
                if (!submission.Succeeded)
                {
                    _problems.AddRange(submission.Errors.Select(e => $"{e.Field}: {e.Message}"));
                    _focusProblem = true;
                    return;
                }
                Navigation.NavigateTo(AppUrls.Sweep(submission.SweepId!));
            }
            else if (verdict.Plan is { } plan)
            {
                var result = await Submission.SubmitSweepAsync(plan.Configs, owner: owner);
                if (!result.Succeeded)
                {
                    _sweepSubmitErrors = SweepErrors.Group(result.Errors, plan.Configs);
                    _focusProblem = true;
                    return;
                }
                await Audit.RecordAsync(user, AuditActions.Submit, result.SweepId is { } sweep ? $"sweep {sweep}" : $"run {result.RunIds[0]}",
                    $"{result.RunIds.Count} run(s)");
                // A one-cell grid is queued as a plain run, without a sweep id.
                Navigation.NavigateTo(result.SweepId is { } sweepId ? AppUrls.Sweep(sweepId) : AppUrls.Run(result.RunIds[0]));
            }
            else
            {
                var result = await Submission.SubmitAsync(_form.ToConfig(), owner: owner);
                if (!result.Succeeded)
                {
                    _problems.AddRange(result.Errors.Select(e => $"{RunFormErrors.LabelOf(e.Field)}: {e.Message}"));
                    _focusProblem = true;
                    return;
                }
                await Audit.RecordAsync(user, AuditActions.Submit, $"run {result.RunId}", _form.Name);
                Navigation.NavigateTo(AppUrls.Run(result.RunId!.Value));
            }
        }
        finally
        {
            _submitting = false;
        }
    }

    /// <summary>The paths of the inputs with errors, in the order the page shows them: the sweep's, then each section's.</summary>
    private IReadOnlyList<string> InvalidPaths(Verdict verdict)
    {
        IEnumerable<string> sweepPaths = verdict.Plan is { } plan
            ? new[] { SweepForm.MethodsPath, SweepForm.ModelsPath, SweepForm.SeedsPath }.Where(path => plan.InputErrorsFor(path).Count > 0)
            : [];
        var fieldPaths = RunConfigFields.Sections
            .SelectMany(section => RunConfigFields.All.Where(field => field.Section == section && IsShown(field.Path)))
            .Select(field => field.Path)
            .Where(path => verdict.Fields.For(path).Count > 0);
        return [.. sweepPaths, .. fieldPaths];
    }

    private bool HasTopProblems(Verdict verdict) => verdict.Top.Count > 0 || _problems.Count > 0;

    private bool HasSweepRunProblems(Verdict verdict) => IsSweep && (_sweepSubmitErrors.Count > 0 || verdict.SweepRuns.Count > 0);

    private string BlockedMessage(Verdict verdict) => BlockedSubmit.Message(
        [.. InvalidPaths(verdict).Select(LabelOf)], HasTopProblems(verdict) || HasSweepRunProblems(verdict));

    private static string LabelOf(string path) => path switch
    {
        SweepForm.MethodsPath => "Methods",
        SweepForm.ModelsPath => "Models",
        SweepForm.SeedsPath => "Seeds",
        _ => RunFormErrors.LabelOf(path),
    };

    /// <summary>The element a refused submit focuses: what comes first on the page of the top list, the sweep's inputs, its invalid runs, the fields.</summary>
    private string? ProblemSelector(Verdict verdict)
    {
        if (HasTopProblems(verdict)) return $"#{BlockedSubmit.ProblemsId}";
        var invalid = InvalidPaths(verdict);
        var sweepInput = invalid.FirstOrDefault(path => path.StartsWith("sweep.", StringComparison.Ordinal));
        if (sweepInput is not null) return BlockedSubmit.FieldSelector(sweepInput);
        if (HasSweepRunProblems(verdict)) return $"#{BlockedSubmit.SweepProblemsId}";
        return invalid.Count > 0 ? BlockedSubmit.FieldSelector(invalid[0]) : null;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_focusProblem) return;
        _focusProblem = false;
        if (ProblemSelector(Check()) is not { } selector) return;
        try
        {
            await JS.InvokeVoidAsync("trackerForm.focusProblem", selector);
        }
        catch (Exception error) when (error is JSException or JSDisconnectedException or TaskCanceledException)
        {
            // Focus is a convenience: the message under the button still names the fields.
            Logger.LogDebug(error, "Could not focus the form's first problem");
        }
    }

    private static string ModeText(SubmitMode mode) => mode == SubmitMode.Single ? "One run" : "Sweep";
}
