namespace Tracker.Training.Tests;

/// <summary>
/// Tests that count live native tensors: the count is process-wide, so they must not run while
/// other test classes allocate. xunit runs a collection with parallelization disabled on its own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryCollection
{
    public const string Name = "Native memory";
}
