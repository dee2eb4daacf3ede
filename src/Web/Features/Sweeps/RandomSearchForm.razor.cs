using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Tracker.Shared;

namespace Tracker.Web.Features.Sweeps;

/// <summary>
/// The random-search form: rows of searched parameters, the search seed and run count, and the early-stopping rule.
/// It plans on every render (so the run count and problems are live) with <see cref="SweepPlanner.PlanRandom"/>, the
/// planner POST /api/sweeps uses, and queues through <see cref="SweepSubmitter"/>.
/// </summary>
public partial class RandomSearchForm
{
    [Inject] private SweepSubmitter Submitter { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [CascadingParameter] private Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>The base config every drawn run starts from (the new-run form's config).</summary>
    [Parameter, EditorRequired] public Func<RunConfig> BaseConfig { get; set; } = default!;

    private sealed class Row
    {
        public string Path { get; set; } = "";
        public ParameterKind Kind { get; set; } = ParameterKind.Uniform;
        public double Low { get; set; }
        public double High { get; set; } = 1;
        public string Choices { get; set; } = "";
    }

    private sealed record KindChoice(ParameterKind Value, string Text);

    private static readonly IReadOnlyList<KindChoice> Kinds =
    [
        new(ParameterKind.Uniform, "Uniform"), new(ParameterKind.LogUniform, "Log-uniform (rates)"),
        new(ParameterKind.Integer, "Integer"), new(ParameterKind.Choice, "Choice"),
    ];

    /// <summary>Numeric fields people search most; any config path may be typed.</summary>
    private static readonly IReadOnlyList<string> SuggestedPaths =
        ["lr", "weightDecay", "momentum", "labelSmoothing", "batchSize", "warmupEpochs", "dropout.rate", "dropout.cutoffEpoch",
         "dropPath.rate", "dropPath.cutoffEpoch", "l1", "l2", "gradClip", "seed", "model"];

    private readonly List<Row> _rows = [new() { Path = "lr", Kind = ParameterKind.LogUniform, Low = 1e-4, High = 1e-2 }];
    private int _seed;
    private int _maxRuns = 8;
    private bool _earlyStop;
    private string _metric = MetricKeys.ValAcc;
    private int _minRuns = 3;
    private int _minEpoch = 2;
    private bool _submitting;
    private IReadOnlyList<string> _submitErrors = [];

    private SweepPlanResult Plan()
    {
        var space = _rows.Select(row => new SearchParameter(row.Path.Trim(), row.Kind, row.Low, row.High,
            row.Kind == ParameterKind.Choice ? ParseChoices(row.Choices) : [])).ToList();
        var errors = new List<FieldError>();
        MedianStopping? rule = null;
        if (_earlyStop)
        {
            if (_minRuns < 1) errors.Add(new FieldError("earlyStop.minRuns", "The rule needs at least 1 completed run."));
            if (_minEpoch < 1) errors.Add(new FieldError("earlyStop.minEpoch", "Epochs count from 1."));
            rule = new MedianStopping(_metric, Math.Max(1, _minRuns), Math.Max(1, _minEpoch));
        }
        RunConfig baseConfig;
        try
        {
            baseConfig = BaseConfig();
        }
        catch (Exception error) when (error is FormatException or ArgumentException)
        {
            return new SweepPlanResult(null, [new FieldError("base", error.Message)]);
        }
        var plan = SweepPlanner.PlanRandom(baseConfig, space, _seed, _maxRuns, rule);
        return errors.Count == 0 ? plan : new SweepPlanResult(null, [.. errors, .. plan.Errors]);
    }

    /// <summary>"32, 64" as numbers; anything else ("mlp", true) as the JSON value it reads as, or as a string.</summary>
    private static List<object> ParseChoices(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry =>
            {
                if (double.TryParse(entry, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return (object)JsonDocument.Parse(entry).RootElement.Clone();
                return entry is "true" or "false" ? JsonDocument.Parse(entry).RootElement.Clone() : JsonSerializer.SerializeToElement(entry);
            })
            .ToList();

    private async Task SubmitAsync(SweepPlanResult plan)
    {
        if (plan.Sweep is not { } sweep) return;
        _submitting = true;
        try
        {
            var result = await Submitter.SubmitAsync(sweep, (await AuthenticationState).User);
            if (result.Succeeded)
            {
                Navigation.NavigateTo(AppUrls.Sweep(result.SweepId!));
                return;
            }
            _submitErrors = result.Errors.Select(e => $"{e.Field}: {e.Message}").ToList();
        }
        finally
        {
            _submitting = false;
        }
    }
}
