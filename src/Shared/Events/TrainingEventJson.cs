using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Tracker.Shared;

/// <summary>One training event per line of JSON, with the shared <see cref="TrackerJson.Options"/>.</summary>
public static class TrainingEventJson
{
    /// <summary>One line, no trailing newline; the "type" property comes first.</summary>
    public static string Serialize(TrainingEvent trainingEvent)
    {
        ArgumentNullException.ThrowIfNull(trainingEvent);
        // Declared as the base type so the "type" discriminator is always written.
        return JsonSerializer.Serialize(trainingEvent, TrackerJson.Options);
    }

    /// <summary>Reads one line; throws <see cref="FormatException"/> with a readable message.</summary>
    public static TrainingEvent Deserialize(string line)
    {
        if (TryDeserialize(line, out var trainingEvent, out var error))
        {
            return trainingEvent;
        }
        throw new FormatException(error);
    }

    public static bool TryDeserialize(string? line, [NotNullWhen(true)] out TrainingEvent? trainingEvent, [NotNullWhen(false)] out string? error)
    {
        trainingEvent = null;
        if (string.IsNullOrWhiteSpace(line))
        {
            error = "Invalid training event: the line is empty.";
            return false;
        }
        try
        {
            trainingEvent = JsonSerializer.Deserialize<TrainingEvent>(line, TrackerJson.Options);
        }
        catch (JsonException ex)
        {
            error = TrackerJson.Describe(ex, "training event",
                detail => detail.StartsWith("unknown type", StringComparison.Ordinal) ? $"Use one of: {string.Join(", ", AllTypes)}." : null);
            return false;
        }
        catch (NotSupportedException)
        {
            // System.Text.Json cannot build the abstract base: the object had no "type".
            error = $"Invalid training event: missing 'type'. Use one of: {string.Join(", ", AllTypes)}.";
            return false;
        }
        if (trainingEvent is null)
        {
            error = "Invalid training event: expected a JSON object, found null.";
            return false;
        }
        error = null;
        return true;
    }

    private static readonly string[] AllTypes =
    [
        TrainingEventTypes.RunStarted, TrainingEventTypes.Step, TrainingEventTypes.Epoch,
        TrainingEventTypes.Analysis, TrainingEventTypes.Checkpoint, TrainingEventTypes.RunFinished, TrainingEventTypes.Points,
    ];
}
