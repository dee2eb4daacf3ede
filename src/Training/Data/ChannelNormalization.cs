namespace Tracker.Training.Data;

/// <summary>Per-channel mean and standard deviation of pixels scaled to [0, 1]: x' = (x / 255 - mean) / std.</summary>
public sealed record ChannelNormalization(float[] Mean, float[] Std)
{
    // The values the literature and torchvision examples use, measured on each training set.
    public static ChannelNormalization FashionMnist { get; } = new([0.2860f], [0.3530f]);
    public static ChannelNormalization Mnist { get; } = new([0.1307f], [0.3081f]);
    public static ChannelNormalization Cifar10 { get; } = new([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]);
    public static ChannelNormalization Cifar100 { get; } = new([0.5071f, 0.4865f, 0.4409f], [0.2673f, 0.2564f, 0.2762f]);

    public int Channels => Mean.Length;

    /// <summary>Measures the training set itself (population std), exactly, from a per-channel histogram.</summary>
    public static ChannelNormalization Compute(ImageDataset dataset)
    {
        var planeSize = dataset.Height * dataset.Width;
        var histograms = new long[dataset.Channels][];
        for (var c = 0; c < dataset.Channels; c++) histograms[c] = new long[256];
        for (var i = 0; i < dataset.Count; i++)
        {
            var image = dataset.Image(i);
            for (var c = 0; c < dataset.Channels; c++)
            {
                var histogram = histograms[c];
                foreach (var pixel in image.Slice(c * planeSize, planeSize)) histogram[pixel]++;
            }
        }

        var mean = new float[dataset.Channels];
        var std = new float[dataset.Channels];
        for (var c = 0; c < dataset.Channels; c++)
        {
            double count = 0, sum = 0, sumOfSquares = 0;
            for (var v = 0; v < 256; v++)
            {
                var n = histograms[c][v];
                var x = v / 255.0;
                count += n;
                sum += n * x;
                sumOfSquares += n * x * x;
            }
            var m = count == 0 ? 0 : sum / count;
            var variance = count == 0 ? 0 : Math.Max(sumOfSquares / count - m * m, 0);
            mean[c] = (float)m;
            // A constant channel would divide by zero; 1 leaves it merely centred.
            std[c] = variance > 1e-12 ? (float)Math.Sqrt(variance) : 1f;
        }
        return new ChannelNormalization(mean, std);
    }

    /// <summary>Normalised value of every byte, per channel: batches are built by table lookup.</summary>
    internal float[][] LookupTables()
    {
        var tables = new float[Channels][];
        for (var c = 0; c < Channels; c++)
        {
            tables[c] = new float[256];
            for (var v = 0; v < 256; v++) tables[c][v] = (v / 255f - Mean[c]) / Std[c];
        }
        return tables;
    }
}
