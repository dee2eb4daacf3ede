namespace Tracker.Training.Torch;

/// <summary>The one check for drop probabilities (dropout, drop path): a rate outside [0, 1] is a caller's bug.</summary>
internal static class Probability
{
    public static double Check(double value, string what) => value is >= 0 and <= 1
        ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value, $"{what} probability must be in [0, 1]");
}
