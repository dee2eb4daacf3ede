using Tracker.Web.Features.Runs;
using Tracker.Web.Features.Sweeps;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Sharing;

/// <summary>POST /api/share: what to share and for how long (no expiry when left out).</summary>
public sealed record ShareRequest(ShareTargetKind Kind, string Target, int? ExpiresInDays);

/// <summary>A new link: its absolute URL and token, shown once and never again.</summary>
public sealed record ShareCreated(long Id, string Url, string Token, ShareTargetKind Kind, string Target, DateTime? ExpiresAt);

/// <summary>A shared comparison's data: its view (the comparison query), its runs and their points of the shown metrics.</summary>
public sealed record SharedComparison(string View, IReadOnlyList<RunDetail> Runs, IReadOnlyList<long> MissingRuns, IReadOnlyList<RunMetrics> Metrics);

/// <summary>What GET /s/{token}/data answers: the target and its data, one of the data members filled per kind.</summary>
public sealed record SharedData(
    ShareTargetKind Kind, string Target, DateTime? ExpiresAt, SharedComparison? Comparison, RunDetail? Run, RunMetrics? RunMetrics,
    SweepDetail? Sweep = null);
