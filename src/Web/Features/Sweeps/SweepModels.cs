using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Sweeps;

/// <summary>One run of a sweep: which cell of the grid it is and how far it got; the best values come from <see cref="RunSummary"/>.</summary>
public sealed record SweepRunItem(
    long Id, string Name, string Method, string Model, string Dataset, int Seed, RunStatus Status, double Progress,
    int EpochsCompleted, int Epochs, [property: NonFiniteNumber] double? BestValAcc, [property: NonFiniteNumber] double? BestValLoss, string? Error);

/// <summary>A sweep: its runs in the order they were queued, and how many have finished.</summary>
public sealed record SweepDetail(string Id, DateTime Created, IReadOnlyList<SweepRunItem> Runs, int Finished);
