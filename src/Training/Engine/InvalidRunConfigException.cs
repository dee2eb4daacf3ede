using Tracker.Shared;

namespace Tracker.Training.Engine;

/// <summary>A run config that failed validation; carries every field error, so a form or CLI can show them all at once.</summary>
public sealed class InvalidRunConfigException(IReadOnlyList<FieldError> errors)
    : Exception("Invalid run config: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}
