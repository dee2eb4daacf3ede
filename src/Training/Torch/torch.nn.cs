using Tracker.Training.Torch.Modules;

namespace Tracker.Training.Torch;

public static partial class torch
{
    /// <summary>Module factories, as torch.nn in TorchSharp.</summary>
    public static partial class nn
    {
        public static Linear Linear(long inFeatures, long outFeatures, bool hasBias = true, Device? device = null) =>
            new(inFeatures, outFeatures, hasBias, device);

        public static Conv2d Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
            long dilation = 1, long groups = 1, bool hasBias = true, Device? device = null) =>
            new(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, hasBias, device);

        public static LayerNorm LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, Device? device = null) =>
            new(normalizedShape, eps, elementwiseAffine, device);

        public static BatchNorm2d BatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1, Device? device = null) =>
            new(features, eps, momentum, device);

        public static Dropout Dropout(double p = 0.5) => new(p);

        public static ReLU ReLU() => new();

        public static GELU GELU() => new();

        public static Flatten Flatten(long startDim = 1, long endDim = -1) => new(startDim, endDim);

        public static Sequential Sequential(params Module<Tensor, Tensor>[] layers) => new(layers);
    }

    /// <summary>Optimizer factories, as torch.optim in TorchSharp.</summary>
    public static class optim
    {
        public static Optim.AdamW AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
            double eps = 1e-8, double weight_decay = 0.01) => new(parameters, lr, beta1, beta2, eps, weight_decay);

        public static Optim.SGD SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false) => new(parameters, lr, momentum, dampening, weight_decay, nesterov);
    }
}
