using Tracker.Shared;
using Tracker.Training.Regularization;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Models;

/// <summary>
/// A plain CNN: per stage two (3x3 conv → BatchNorm → ReLU) and a 2x2 max pool, then global average pooling,
/// a hidden fully connected layer (ReLU; DropConnect-able), dropout, and the linear classifier.
/// </summary>
public sealed class ConvNet : ClassifierModel
{
    public static IReadOnlyList<int> DefaultChannels { get; } = [32, 64, 128];

    public const int DefaultHiddenFeatures = 256;

    private readonly Sequential _features, _classifier;

    public ConvNet(long inputChannels, long imageSize, long classes, IReadOnlyList<int>? channels = null,
        int hiddenFeatures = DefaultHiddenFeatures, double dropoutRate = 0, DropConnectSettings? dropConnect = null)
        : base(inputChannels, imageSize, classes)
    {
        channels ??= DefaultChannels;
        if (channels.Count == 0 || channels.Any(c => c < 1))
            throw new ArgumentException("A ConvNet needs at least one stage, each with at least one channel.", nameof(channels));
        if (imageSize >> channels.Count < 1)
            throw new ArgumentException($"{channels.Count} pooling stages shrink a {imageSize}x{imageSize} image to nothing.", nameof(channels));
        if (hiddenFeatures < 1) throw new ArgumentOutOfRangeException(nameof(hiddenFeatures), hiddenFeatures, "Need at least one hidden unit.");
        Channels = channels.ToArray();

        _features = new Sequential();
        var previous = inputChannels;
        foreach (var width in Channels)
        {
            foreach (var inChannels in new[] { previous, width })
            {
                // The batch norm's shift makes a conv bias redundant.
                _features.append(new Conv2d(inChannels, width, kernelSize: 3, padding: 1, hasBias: false));
                _features.append(new BatchNorm2d(width));
                _features.append(new ReLU());
            }
            _features.append(new MaxPool2d(2));
            previous = width;
        }
        _classifier = new Sequential(
            Layers.Dense(previous, hiddenFeatures, LayerActivation.ReLU, dropConnect),
            new Dropout(dropoutRate),
            new Linear(hiddenFeatures, classes));
        register_module("features", _features);
        register_module("classifier", _classifier);
        SetDropoutRate(dropoutRate);
    }

    public IReadOnlyList<int> Channels { get; }

    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        var features = _features.forward(input);
        var pooled = torch.nn.functional.adaptive_avg_pool2d(features, 1, 1).flatten(1);
        return _classifier.forward(pooled);
    }

    private sealed class MaxPool2d(long kernel) : Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor input) => torch.nn.functional.max_pool2d(input, kernel);
    }
}
