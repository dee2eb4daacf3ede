using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Tracker.Shared;
using Tracker.Web.Jobs;

namespace Tracker.Web.Features.Runs.Forms;

/// <summary>
/// A grid of runs (methods x models x seeds) over one base config: each run is the base with the method's preset
/// applied, the model and the seed set, and a name that says which cell it is.
/// </summary>
public sealed record SweepGrid(IReadOnlyList<string> Methods, IReadOnlyList<string> Models, IReadOnlyList<int> Seeds)
{
    /// <summary>Guards against a typo queuing thousands of runs.</summary>
    public const int MaxRuns = 200;

    public int Count => Methods.Count * Models.Count * Seeds.Count;

    /// <summary>The configs in a fixed order: methods, then models, then seeds.</summary>
    public IReadOnlyList<RunConfig> Expand(RunConfig baseConfig)
    {
        ArgumentNullException.ThrowIfNull(baseConfig);
        var configs = new List<RunConfig>(Count);
        foreach (var method in Methods)
        foreach (var model in Models)
        foreach (var seed in Seeds)
        {
            var cell = baseConfig with { Model = model, Seed = seed, Name = NameOf(baseConfig.Name, method, model, seed) };
            configs.Add(MethodPresets.Apply(method, cell));
        }
        return configs;
    }

    /// <summary>"&lt;base&gt;-&lt;method&gt;-&lt;model&gt;-s&lt;seed&gt;", e.g. "vit-early-dropout-vit-nano-s1".</summary>
    public static string NameOf(string baseName, string method, string model, int seed) =>
        $"{baseName.Trim()}-{PresetNames.Slug(method)}-{model}-s{seed.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Reads a list of seeds separated by commas or spaces. Fails with a sentence for the seeds input when an entry
    /// is not a whole number of at least 0, a seed repeats (two runs would be the same), or none is given.
    /// </summary>
    public static bool TryParseSeeds(string? text, out IReadOnlyList<int> seeds, [NotNullWhen(false)] out string? error)
    {
        var parsed = new List<int>();
        seeds = parsed;
        foreach (var entry in (text ?? "").Split([',', ' ', ';', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(entry, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) || seed < 0)
            {
                error = $"'{entry}' is not a seed: use whole numbers of at least 0, separated by commas.";
                return false;
            }
            if (parsed.Contains(seed))
            {
                error = $"Seed {seed} is listed twice; its runs would be identical.";
                return false;
            }
            parsed.Add(seed);
        }
        error = parsed.Count == 0 ? "List at least one seed, e.g. 0, 1, 2." : null;
        return error is null;
    }
}

/// <summary>What the sweep part of the form holds; <see cref="Plan"/> turns it and the base config into runs.</summary>
public sealed class SweepForm
{
    public const string MethodsPath = "sweep.methods";
    public const string ModelsPath = "sweep.models";
    public const string SeedsPath = "sweep.seeds";

    /// <summary>Whether each run of the sweep sets <paramref name="path"/> itself (model, seed, the regularizers), so the base form hides it.</summary>
    public static bool SetsPerRun(string path) =>
        path is "model" or "seed" or "l1" or "l2" or "rDrop" or "dropConnect"
        || path.StartsWith("dropout.", StringComparison.Ordinal) || path.StartsWith("dropPath.", StringComparison.Ordinal)
        || path.StartsWith("rDrop.", StringComparison.Ordinal) || path.StartsWith("dropConnect.", StringComparison.Ordinal);

    public IEnumerable<string> Methods { get; set; } = [];
    public IEnumerable<string> Models { get; set; } = [];
    public string Seeds { get; set; } = "0, 1, 2";

    /// <summary>
    /// The grid and its configs, or the problems of the sweep inputs (keyed by the paths above) when no grid can be
    /// made. The configs' own validator errors come with their index, as <see cref="RunSubmission.SubmitSweepAsync"/> reports them.
    /// </summary>
    public SweepPlan Plan(RunConfig baseConfig)
    {
        ArgumentNullException.ThrowIfNull(baseConfig);
        var inputErrors = new List<FieldError>();
        // The paper's order, whatever order the boxes were ticked in.
        var methods = Shared.Methods.All.Where(Methods.Contains).ToList();
        var models = KnownModels.All.Where(Models.Contains).ToList();
        if (methods.Count == 0) inputErrors.Add(new FieldError(MethodsPath, "Pick at least one method."));
        if (models.Count == 0) inputErrors.Add(new FieldError(ModelsPath, "Pick at least one model."));
        if (!SweepGrid.TryParseSeeds(Seeds, out var seeds, out var seedError)) inputErrors.Add(new FieldError(SeedsPath, seedError));

        var grid = new SweepGrid(methods, models, seeds);
        if (inputErrors.Count == 0 && grid.Count > SweepGrid.MaxRuns)
            inputErrors.Add(new FieldError(SeedsPath, $"This grid makes {grid.Count} runs; a sweep holds at most {SweepGrid.MaxRuns}."));
        if (inputErrors.Count > 0) return new SweepPlan(grid, [], inputErrors, []);

        var configs = grid.Expand(baseConfig);
        var configErrors = configs
            .SelectMany((config, index) => RunConfigValidator.Validate(config).Select(error => new SweepFieldError(index, error)))
            .ToList();
        return new SweepPlan(grid, configs, [], configErrors);
    }
}

/// <summary>The runs a sweep would queue and what stops it.</summary>
public sealed record SweepPlan(SweepGrid Grid, IReadOnlyList<RunConfig> Configs, IReadOnlyList<FieldError> InputErrors,
    IReadOnlyList<SweepFieldError> ConfigErrors)
{
    public bool CanSubmit => InputErrors.Count == 0 && ConfigErrors.Count == 0 && Configs.Count > 0;

    public IReadOnlyList<string> InputErrorsFor(string path) =>
        InputErrors.Where(e => e.Field == path).Select(e => e.Message).ToList();

    /// <summary>
    /// The configs' errors as the page shows them: an error whose input is shown appears once under it (all runs share
    /// that input); the rest are grouped with the names of the runs they concern, so none is dropped.
    /// </summary>
    public (RunFormErrors Fields, IReadOnlyList<SweepErrorGroup> Runs) PlaceConfigErrors(Func<string, bool> isShown)
    {
        var fields = RunFormErrors.Place(ConfigErrors.Select(e => e.Error).Distinct(), isShown);
        var unplaced = fields.Unplaced.ToHashSet();
        return (fields, SweepErrors.Group(ConfigErrors.Where(e => unplaced.Contains(e.Error)), Configs));
    }
}

/// <summary>One validator error shared by some runs of a sweep; the runs are named so the user sees which cells are wrong.</summary>
public sealed record SweepErrorGroup(string Field, string Label, string Message, IReadOnlyList<string> RunNames);

public static class SweepErrors
{
    /// <summary>Groups errors that read the same, keeping the order they first appear in; index -1 names no run.</summary>
    public static IReadOnlyList<SweepErrorGroup> Group(IEnumerable<SweepFieldError> errors, IReadOnlyList<RunConfig> configs)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(configs);
        return errors
            .GroupBy(e => (e.Error.Field, e.Error.Message))
            .Select(g => new SweepErrorGroup(g.Key.Field, RunFormErrors.LabelOf(g.Key.Field), g.Key.Message,
                g.Where(e => e.Index >= 0 && e.Index < configs.Count).Select(e => configs[e.Index].Name).Distinct().ToList()))
            .ToList();
    }
}

/// <summary>URL-friendly names of the method presets, for ?preset= and run names.</summary>
public static class PresetNames
{
    /// <summary>"standard s.d." -> "standard-sd", "R-Drop" -> "r-drop".</summary>
    public static string Slug(string method) =>
        method.ToLowerInvariant().Replace(".", "", StringComparison.Ordinal).Trim().Replace(' ', '-');

    /// <summary>The <see cref="Methods"/> label a ?preset= value names: the label itself (any case) or its slug.</summary>
    public static string? Find(string? preset)
    {
        if (string.IsNullOrWhiteSpace(preset)) return null;
        var wanted = preset.Trim();
        return Methods.All.FirstOrDefault(m => string.Equals(m, wanted, StringComparison.OrdinalIgnoreCase) || Slug(m) == Slug(wanted));
    }
}
