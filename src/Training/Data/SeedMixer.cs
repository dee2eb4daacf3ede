namespace Tracker.Training.Data;

/// <summary>
/// Derives independent System.Random seeds from a run seed and coordinates (stream, epoch, step),
/// so each random choice of the data layer depends on those numbers alone: a resumed run replays
/// the same order and augmentations without any generator state to save, and libtorch's global
/// generator is never touched.
/// </summary>
internal static class SeedMixer
{
    public static int Mix(int seed, params ReadOnlySpan<long> coordinates)
    {
        var state = SplitMix((ulong)(uint)seed);
        foreach (var value in coordinates) state = SplitMix(state ^ (ulong)value);
        return (int)(state >> 33);
    }

    // SplitMix64's finaliser: nearby inputs give unrelated outputs.
    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}

/// <summary>Stream identifiers that keep the data layer's random uses apart for one seed.</summary>
internal static class SeedStreams
{
    public const long Subset = 1;
    public const long Holdout = 2;
    public const long Shuffle = 3;
    public const long Augment = 4;
    public const long Synthetic = 5;
}
