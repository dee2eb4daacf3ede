using Tracker.Shared;
using Tracker.Training.Regularization;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Models;

/// <summary>
/// A multilayer perceptron on the flattened image: (Linear → ReLU → Dropout) per hidden layer, then a linear head.
/// With DropConnect settings the hidden linear layers become <see cref="DropConnectLinear"/> (the head stays plain).
/// </summary>
public sealed class Mlp : ClassifierModel
{
    public static IReadOnlyList<int> DefaultHiddenSizes { get; } = [512, 256, 128];

    private readonly Sequential _layers;

    public Mlp(long inputChannels, long imageSize, long classes, IReadOnlyList<int>? hiddenSizes = null, double dropoutRate = 0,
        DropConnectSettings? dropConnect = null) : base(inputChannels, imageSize, classes)
    {
        hiddenSizes ??= DefaultHiddenSizes;
        if (hiddenSizes.Count == 0 || hiddenSizes.Any(size => size < 1))
            throw new ArgumentException("An MLP needs at least one hidden layer, each with at least one unit.", nameof(hiddenSizes));
        HiddenSizes = hiddenSizes.ToArray();

        _layers = new Sequential(new Flatten());
        var features = inputChannels * imageSize * imageSize;
        foreach (var size in HiddenSizes)
        {
            _layers.append(Layers.Dense(features, size, LayerActivation.ReLU, dropConnect));
            _layers.append(new Dropout(dropoutRate));
            features = size;
        }
        _layers.append(new Linear(features, classes));
        register_module("layers", _layers);
        SetDropoutRate(dropoutRate);
    }

    public IReadOnlyList<int> HiddenSizes { get; }

    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        return _layers.forward(input);
    }
}
