using Tracker.Shared;

namespace Tracker.Training.Models;

/// <summary>Builds the model a run names (<see cref="KnownModels"/>) for the dataset's image shape.</summary>
public static class ModelFactory
{
    /// <summary>
    /// A freshly initialised model with its dropout and stochastic depth rates set. Throws
    /// <see cref="ArgumentException"/> for an unknown name or for stochastic depth on a model without residual blocks.
    /// </summary>
    public static ClassifierModel Create(string name, long inputChannels, long imageSize, long classes, double dropoutRate = 0,
        double dropPathRate = 0, DropConnectSettings? dropConnect = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!KnownModels.IsKnown(name))
            throw new ArgumentException($"Unknown model '{name}'. Choose one of: {string.Join(", ", KnownModels.All)}.", nameof(name));
        if (dropPathRate > 0 && !KnownModels.HasResidualBlocks(name))
            throw new ArgumentException($"Model '{name}' has no residual blocks, so it cannot use stochastic depth (rate {dropPathRate}).", nameof(dropPathRate));

        return name switch
        {
            KnownModels.Mlp => new Mlp(inputChannels, imageSize, classes, dropoutRate: dropoutRate, dropConnect: dropConnect),
            KnownModels.ConvNet => new ConvNet(inputChannels, imageSize, classes, dropoutRate: dropoutRate, dropConnect: dropConnect),
            KnownModels.VitNano => new VisionTransformer(inputChannels, imageSize, classes, VitDimensions.Nano, dropoutRate, dropPathRate, dropConnect),
            KnownModels.VitTiny => new VisionTransformer(inputChannels, imageSize, classes, VitDimensions.Tiny, dropoutRate, dropPathRate, dropConnect),
            KnownModels.Mixer => new MlpMixer(inputChannels, imageSize, classes, MixerDimensions.Small, dropoutRate, dropPathRate, dropConnect),
            KnownModels.ConvNext => new ConvNeXt(inputChannels, imageSize, classes, ConvNextDimensions.Small, dropoutRate, dropPathRate, dropConnect),
            // KnownModels lists a name this factory has not learned: a programming error, not a user one.
            _ => throw new NotSupportedException($"Model '{name}' is known but ModelFactory cannot build it yet."),
        };
    }
}
