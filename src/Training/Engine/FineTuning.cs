using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Engine;

/// <summary>What <see cref="FineTuning.InitialiseFrom"/> did: which tensors came from the parent, which kept their fresh initialisation.</summary>
/// <param name="Loaded">State-dict names copied from the parent's checkpoint.</param>
/// <param name="Reinitialised">Names the parent lacks or holds in another shape (a classifier head for another class count, a patch embedding for other images).</param>
public sealed record FineTuningReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> Reinitialised);

/// <summary>
/// Starts a model from another run's final checkpoint, as the paper's downstream experiments do: every weight and
/// buffer whose name and shape match is copied; the rest (typically the classifier head when the downstream task has
/// another number of classes) keeps the fresh initialisation the model was built with.
/// </summary>
public static class FineTuning
{
    /// <exception cref="InvalidDataException">
    /// The file is not a training checkpoint, or not one tensor fits the model (the parent trained another architecture).
    /// </exception>
    public static FineTuningReport InitialiseFrom(string checkpointPath, Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Checkpoint.ReadModelTensors(checkpointPath, saved =>
        {
            var loaded = new List<string>();
            var reinitialised = new List<string>();
            using var noGrad = torch.no_grad();
            foreach (var (name, target) in model.state_dict())
            {
                if (saved.TryGetValue(name, out var source) && source.shape.AsSpan().SequenceEqual(target.shape) && source.dtype == target.dtype)
                {
                    target.copy_(source);
                    loaded.Add(name);
                }
                else
                {
                    reinitialised.Add(name);
                }
            }
            if (loaded.Count == 0)
                throw new InvalidDataException(
                    $"No weight of '{checkpointPath}' fits this model: the parent run trained another architecture. Fine-tune with the parent's model.");
            return new FineTuningReport(loaded, reinitialised);
        });
    }
}
