using System.ComponentModel;
using System.Text.Json;

namespace Tracker.Web.Features.Sweeps;

/// <summary>
/// The body of POST /api/sweeps: a base run config and either a <see cref="Grid"/> or a random <see cref="Search"/>,
/// with an optional early-stopping rule. Fields are nullable so a missing one is a 400 naming it, not a binding failure.
/// </summary>
public sealed record SweepRequest(
    [property: Description("A run config, as POST /api/runs takes; read as raw JSON so that a mistake names its field (base.lr).")] JsonElement? Base,
    GridRequest? Grid, SearchRequest? Search, EarlyStopRequest? EarlyStop, int? Priority);

/// <summary>methods x models x seeds over the base config, as the form's grid sweep makes them.</summary>
public sealed record GridRequest(IReadOnlyList<string>? Methods, IReadOnlyList<string>? Models, IReadOnlyList<int>? Seeds);

/// <summary>A random search: the searched parameters, the seed of the search itself and how many runs to draw.</summary>
public sealed record SearchRequest(IReadOnlyList<SearchParameterRequest>? Parameters, int? Seed, int? MaxRuns);

/// <summary>
/// One searched config path. kind: uniform, logUniform, integer (low and high) or choice (choices, any JSON values).
/// </summary>
public sealed record SearchParameterRequest(string? Path, string? Kind, double? Low, double? High, IReadOnlyList<JsonElement>? Choices);

/// <summary>The median stopping rule of a sweep: metric, completed runs needed (minRuns) and first epoch judged (minEpoch).</summary>
public sealed record EarlyStopRequest(string? Metric, int? MinRuns, int? MinEpoch);

/// <summary>What POST /api/sweeps answers: the sweep, its page and its runs in the order they were queued.</summary>
public sealed record SubmittedSweep(string Id, string Url, IReadOnlyList<long> RunIds);
