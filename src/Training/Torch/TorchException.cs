namespace Tracker.Training.Torch;

/// <summary>A libtorch error (shape mismatch, wrong dtype, missing CUDA...) carrying libtorch's own message.</summary>
public sealed class TorchException(string message) : Exception(message);
