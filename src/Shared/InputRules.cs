namespace Tracker.Shared;

/// <summary>Rules every string from outside must meet, whatever field it is.</summary>
public static class InputRules
{
    public const string ControlCharacterMessage = "Control characters (such as NUL) are not allowed.";

    /// <summary>
    /// A NUL or other control character: PostgreSQL refuses NUL in text (a 500 otherwise), and none belongs in a name, tag
    /// or path. Line breaks and tabs are control characters too; fields that hold free text (notes) do not use this rule.
    /// </summary>
    public static bool HasControlCharacter(string? value) => value is not null && value.Any(char.IsControl);
}
