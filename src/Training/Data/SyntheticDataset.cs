namespace Tracker.Training.Data;

/// <summary>Shape and difficulty of a generated dataset.</summary>
public sealed record SyntheticOptions
{
    public int TrainCount { get; init; } = 2048;
    public int TestCount { get; init; } = 512;
    public int ClassCount { get; init; } = 10;
    public int Channels { get; init; } = 1;
    public int Height { get; init; } = 28;
    public int Width { get; init; } = 28;
    /// <summary>Standard deviation of the per-pixel Gaussian noise, as a fraction of the pixel range.</summary>
    public double Noise { get; init; } = 0.3;
    public int Seed { get; init; }
}

/// <summary>
/// A learnable stand-in for a real dataset, for tests and smoke runs: each class has a random
/// prototype image and every example is its class's prototype plus Gaussian noise. Train and test
/// share the prototypes, so what a model learns on one transfers to the other. Fully determined
/// by the options (seed included).
/// </summary>
public static class SyntheticDataset
{
    public static DatasetSplits Create(SyntheticOptions? options = null)
    {
        options ??= new SyntheticOptions();
        if (options.TrainCount < 1 || options.TestCount < 1) throw new ArgumentException("A synthetic dataset needs at least one training and one test example.");
        var imageSize = options.Channels * options.Height * options.Width;
        var prototypeRandom = new Random(SeedMixer.Mix(options.Seed, SeedStreams.Synthetic, 0));
        var prototypes = new byte[options.ClassCount][];
        for (var c = 0; c < options.ClassCount; c++)
        {
            prototypes[c] = new byte[imageSize];
            prototypeRandom.NextBytes(prototypes[c]);
        }
        var train = Generate("synthetic train", options.TrainCount, options, prototypes, stream: 1);
        var test = Generate("synthetic test", options.TestCount, options, prototypes, stream: 2);
        return new DatasetSplits(train, test, ChannelNormalization.Compute(train));
    }

    private static ImageDataset Generate(string name, int count, SyntheticOptions options, byte[][] prototypes, long stream)
    {
        var random = new Random(SeedMixer.Mix(options.Seed, SeedStreams.Synthetic, stream));
        var builder = new ImageDataset.Builder(name, count, options.Channels, options.Height, options.Width, options.ClassCount);
        var noise = options.Noise * 255;
        for (var i = 0; i < count; i++)
        {
            var label = i % options.ClassCount; // balanced; the loader shuffles
            builder.SetLabel(i, label);
            var image = builder.ImageBuffer(i);
            var prototype = prototypes[label];
            for (var p = 0; p < image.Length; p++)
                image[p] = (byte)Math.Clamp(Math.Round(prototype[p] + noise * Gaussian(random)), 0, 255);
        }
        return builder.Build();
    }

    // Box-Muller; System.Random has no normal sampler.
    private static double Gaussian(Random random)
    {
        var u = 1 - random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
