namespace Tracker.Shared;

/// <summary>
/// Marks a recorded metric value (or, on a dictionary, each of its values) that may be NaN, Infinity or -Infinity: a
/// diverging run produces them, and the JSON writers send them as those strings (AllowNamedFloatingPointLiterals). The
/// API description declares such a number as a number or one of those strings; every other number as a plain number.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class NonFiniteNumberAttribute : Attribute
{
    /// <summary>The strings that stand for the values JSON numbers cannot hold.</summary>
    public static IReadOnlyList<string> Literals { get; } = ["NaN", "Infinity", "-Infinity"];
}
