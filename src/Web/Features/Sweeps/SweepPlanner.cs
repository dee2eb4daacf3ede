using System.Globalization;
using System.Text.Json;
using Tracker.Shared;
using Tracker.Web.Features.Runs.Forms;

namespace Tracker.Web.Features.Sweeps;

/// <summary>A sweep ready to queue: its configs in order, what was searched (JSON) and its early-stopping rule.</summary>
public sealed record PlannedSweep(string Kind, IReadOnlyList<RunConfig> Configs, string Definition, MedianStopping? EarlyStop);

/// <summary>The runs a sweep would queue, or every problem found, each naming its field (base.lr, search.parameters[1].low).</summary>
public sealed record SweepPlanResult(PlannedSweep? Sweep, IReadOnlyList<FieldError> Errors)
{
    public IReadOnlyList<string> ErrorsFor(string field) => Errors.Where(e => e.Field == field).Select(e => e.Message).ToList();
}

/// <summary>
/// Turns a sweep request (API body or the new-run form) into run configs with one validation for both: a grid goes
/// through <see cref="SweepForm.Plan"/>, a random search through <see cref="RandomSearch"/>; every drawn config is
/// checked by <see cref="RunConfigValidator"/> before anything is stored.
/// </summary>
public static class SweepPlanner
{
    public const string Grid = "grid";
    public const string Random = "random";

    public static SweepPlanResult Plan(SweepRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<FieldError>();
        RunConfig? baseConfig = null;
        if (request.Base is not { ValueKind: JsonValueKind.Object } baseJson)
            errors.Add(new FieldError("base", "Give the base run config every run of the sweep starts from."));
        else if (!RunConfigJson.TryParse(baseJson.GetRawText(), out baseConfig, out var parseError))
            errors.Add(new FieldError("base", parseError));

        if ((request.Grid is null) == (request.Search is null))
            errors.Add(new FieldError(request.Grid is null ? "grid" : "search", "Give either a grid or a random search, not both and not neither."));
        var earlyStop = EarlyStop(request.EarlyStop, errors);

        IReadOnlyList<SearchParameter>? space = null;
        if (request.Search is { } search) space = Space(search, errors);
        if (errors.Count > 0 || baseConfig is null) return new SweepPlanResult(null, errors);

        return request.Grid is { } grid
            ? PlanGrid(baseConfig, grid, earlyStop)
            : PlanRandom(baseConfig, space!, request.Search!.Seed ?? 0, request.Search.MaxRuns ?? 0, earlyStop);
    }

    /// <summary>A random search over <paramref name="space"/>: <paramref name="runs"/> configs named "&lt;base&gt;-r&lt;n&gt;".</summary>
    public static SweepPlanResult PlanRandom(RunConfig baseConfig, IReadOnlyList<SearchParameter> space, int seed, int runs, MedianStopping? earlyStop)
    {
        ArgumentNullException.ThrowIfNull(baseConfig);
        ArgumentNullException.ThrowIfNull(space);
        var errors = new List<FieldError>();
        if (runs is < 1 or > RandomSearch.MaxRuns)
            errors.Add(new FieldError("search.maxRuns", $"The run count must be between 1 and {RandomSearch.MaxRuns}; it is {runs}."));
        errors.AddRange(SpaceErrors(space));
        // Each path and type is tried once on the base config, so a typo is named before any run is drawn.
        for (var i = 0; i < space.Count && errors.Count == 0; i++)
        {
            var parameter = space[i];
            object example = parameter.Kind switch
            {
                ParameterKind.Choice => parameter.Choices[0],
                ParameterKind.Integer => (int)parameter.Low,
                _ => parameter.Low,
            };
            var (_, error) = ConfigPaths.TrySet(baseConfig, new Dictionary<string, object> { [parameter.Path] = example });
            if (error is not null) errors.Add(new FieldError($"search.parameters[{i}].{(parameter.Kind == ParameterKind.Choice ? "choices" : "path")}", error));
        }
        if (errors.Count > 0) return new SweepPlanResult(null, errors);

        var configs = new List<RunConfig>(runs);
        var assignments = RandomSearch.Sample(space, seed, runs);
        for (var run = 0; run < assignments.Count; run++)
        {
            var named = baseConfig with { Name = $"{baseConfig.Name.Trim()}-r{(run + 1).ToString(CultureInfo.InvariantCulture)}" };
            var (config, error) = ConfigPaths.TrySet(named, assignments[run]);
            if (error is not null)
            {
                errors.Add(new FieldError("search.parameters", $"Run {run + 1}: {error}"));
                continue;
            }
            configs.Add(config!);
        }
        errors.AddRange(ConfigErrors(configs, path => IndexOf(space, path)));
        if (errors.Count > 0) return new SweepPlanResult(null, errors.Distinct().ToList());
        var definition = JsonSerializer.Serialize(new
        {
            parameters = space.Select(p => new { p.Path, kind = KindName(p.Kind), p.Low, p.High, p.Choices }),
            seed,
            maxRuns = runs,
        }, JsonSerializerOptions.Web);
        return new SweepPlanResult(new PlannedSweep(Random, configs, definition, earlyStop), []);
    }

    /// <summary>The space's problems from <see cref="RandomSearch.Problems"/>, each placed on the input it concerns.</summary>
    public static IReadOnlyList<FieldError> SpaceErrors(IReadOnlyList<SearchParameter> space)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (space.Count == 0) return [new FieldError("search.parameters", RandomSearch.Problems(space)[0])];
        var errors = new List<FieldError>();
        for (var i = 0; i < space.Count; i++)
        {
            var parameter = space[i];
            var field = string.IsNullOrWhiteSpace(parameter.Path) ? "path" : parameter.Kind == ParameterKind.Choice ? "choices" : "low";
            errors.AddRange(RandomSearch.Problems([parameter]).Select(p => new FieldError($"search.parameters[{i}].{field}", p)));
        }
        // What is left of the whole space's problems concerns several parameters (a path listed twice): it goes on the repeats.
        var single = errors.Select(e => e.Message).ToHashSet();
        foreach (var problem in RandomSearch.Problems(space).Where(p => !single.Contains(p)))
        {
            var repeated = space.Select((p, i) => (p.Path, i)).GroupBy(x => x.Path).Where(g => g.Count() > 1).SelectMany(g => g.Skip(1));
            foreach (var (_, i) in repeated) errors.Add(new FieldError($"search.parameters[{i}].path", problem));
        }
        return errors.Distinct().ToList();
    }

    public static string KindName(ParameterKind kind) => JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    private static SweepPlanResult PlanGrid(RunConfig baseConfig, GridRequest grid, MedianStopping? earlyStop)
    {
        var form = new SweepForm
        {
            Methods = grid.Methods ?? [],
            Models = grid.Models ?? [],
            Seeds = string.Join(", ", (grid.Seeds ?? []).Select(s => s.ToString(CultureInfo.InvariantCulture))),
        };
        var errors = new List<FieldError>();
        // The form would quietly skip an unknown name; an API client is told.
        foreach (var method in form.Methods.Where(m => !Methods.All.Contains(m)))
            errors.Add(new FieldError("grid.methods", $"Unknown method '{method}'. Choose from: {string.Join(", ", Methods.All)}."));
        foreach (var model in form.Models.Where(m => !KnownModels.All.Contains(m)))
            errors.Add(new FieldError("grid.models", $"Unknown model '{model}'. Choose from: {string.Join(", ", KnownModels.All)}."));
        var plan = form.Plan(baseConfig);
        errors.AddRange(plan.InputErrors.Select(e => e with { Field = "grid." + e.Field[(e.Field.IndexOf('.', StringComparison.Ordinal) + 1)..] }));
        errors.AddRange(ConfigErrors(plan.Configs, _ => -1));
        if (errors.Count > 0) return new SweepPlanResult(null, errors.Distinct().ToList());
        return new SweepPlanResult(new PlannedSweep(Grid, plan.Configs, GridDefinition(plan.Grid), earlyStop), []);
    }

    /// <summary>What a grid sweep stores as its definition, from the API or the form alike.</summary>
    public static string GridDefinition(SweepGrid grid) =>
        JsonSerializer.Serialize(new { methods = grid.Methods, models = grid.Models, seeds = grid.Seeds }, JsonSerializerOptions.Web);

    /// <summary>The validator's errors of every config, once each: on the searched parameter that set the field, else on base.</summary>
    private static IEnumerable<FieldError> ConfigErrors(IReadOnlyList<RunConfig> configs, Func<string, int> searchedIndex) =>
        configs.SelectMany(RunConfigValidator.Validate)
            .Select(e => searchedIndex(e.Field) is var i and >= 0 ? new FieldError($"search.parameters[{i}]", $"'{e.Field}': {e.Message}") : e with { Field = "base." + e.Field })
            .Distinct();

    private static int IndexOf(IReadOnlyList<SearchParameter> space, string field)
    {
        for (var i = 0; i < space.Count; i++) if (space[i].Path == field) return i;
        return -1;
    }

    private static List<SearchParameter> Space(SearchRequest search, List<FieldError> errors)
    {
        if (search.Seed is null) errors.Add(new FieldError("search.seed", "Give the search a seed (a whole number); the same seed draws the same runs."));
        if (search.MaxRuns is null) errors.Add(new FieldError("search.maxRuns", $"Say how many runs to draw (1 to {RandomSearch.MaxRuns})."));
        if (search.Parameters is not { Count: > 0 } parameters)
        {
            errors.Add(new FieldError("search.parameters", "Add at least one parameter to search."));
            return [];
        }
        var space = new List<SearchParameter>();
        for (var i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            var field = $"search.parameters[{i}]";
            if (p is null)
            {
                errors.Add(new FieldError(field, "A parameter cannot be null."));
                continue;
            }
            if (!Enum.TryParse<ParameterKind>(p.Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(p.Kind, out _))
            {
                errors.Add(new FieldError(field + ".kind", $"Unknown kind '{p.Kind}'. Use uniform, logUniform, integer or choice."));
                continue;
            }
            if (kind == ParameterKind.Choice)
            {
                space.Add(new SearchParameter(p.Path ?? "", kind, 0, 0, (p.Choices ?? []).Select(c => (object)c.Clone()).ToList()));
                continue;
            }
            if (p.Low is null) errors.Add(new FieldError(field + ".low", "Give the low end of the range."));
            if (p.High is null) errors.Add(new FieldError(field + ".high", "Give the high end of the range."));
            space.Add(new SearchParameter(p.Path ?? "", kind, p.Low ?? 0, p.High ?? 0, []));
        }
        if (errors.Count == 0) errors.AddRange(SpaceErrors(space));
        return space;
    }

    private static MedianStopping? EarlyStop(EarlyStopRequest? request, List<FieldError> errors)
    {
        if (request is null) return null;
        var before = errors.Count;
        if (request.Metric is null || !MetricKeys.Monitorable.Contains(request.Metric))
            errors.Add(new FieldError("earlyStop.metric", $"Choose the metric the rule watches: one of {string.Join(", ", MetricKeys.Monitorable)}."));
        if (request.MinRuns is < 1 or > RandomSearch.MaxRuns)
            errors.Add(new FieldError("earlyStop.minRuns", $"The rule needs between 1 and {RandomSearch.MaxRuns} completed runs; it is {request.MinRuns}."));
        if (request.MinEpoch is < 1)
            errors.Add(new FieldError("earlyStop.minEpoch", $"Epochs count from 1; the first epoch judged cannot be {request.MinEpoch}."));
        return errors.Count > before ? null : new MedianStopping(request.Metric!, request.MinRuns ?? 3, request.MinEpoch ?? 1);
    }
}
