namespace Tracker.Training.Data;

/// <summary>
/// What a dataset loader returns: the training examples, the examples evaluated as val/* metrics,
/// and the normalisation to apply to both (always measured on, or known for, the training set).
/// </summary>
public sealed record DatasetSplits(ImageDataset Train, ImageDataset Test, ChannelNormalization Normalization)
{
    /// <summary>True when <see cref="Test"/> was split off the training data because the source had no test split.</summary>
    public bool TestIsHoldout { get; init; }

    public int ClassCount => Train.ClassCount;

    /// <summary>These splits with the training set cut to a seeded, stratified subset (null keeps it whole).</summary>
    public DatasetSplits WithTrainSubset(int? count, int seed) =>
        count is { } n ? this with { Train = Train.Subset(n, seed) } : this;
}
