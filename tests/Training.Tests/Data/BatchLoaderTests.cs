using Tracker.Training.Data;
using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Data;

public class BatchLoaderTests
{
    /// <summary>Example i has label i % classes and every pixel of it equal to i (so a pixel identifies the example).</summary>
    private static ImageDataset Numbered(int count, int channels = 1, int side = 4, int classes = 5)
    {
        var size = channels * side * side;
        var pixels = new byte[count * size];
        for (var i = 0; i < count; i++) pixels.AsSpan(i * size, size).Fill((byte)i);
        return new ImageDataset("numbered", pixels, Enumerable.Range(0, count).Select(i => (long)(i % classes)).ToArray(), channels, side, side, classes);
    }

    /// <summary>Unit normalisation on the [0, 1] scale: a batch value v*255 recovers the byte.</summary>
    private static ChannelNormalization Identity(int channels) => new(new float[channels], Enumerable.Repeat(1f, channels).ToArray());

    private static int[] ExampleIds(Batch batch, int imageSize)
    {
        var values = batch.Images.ToArray<float>();
        return Enumerable.Range(0, batch.Size).Select(k => (int)Math.Round(values[k * imageSize] * 255)).ToArray();
    }

    [Fact]
    public void SameSeedAndEpoch_GiveTheSameOrder_OtherEpochsAndSeedsDiffer()
    {
        var dataset = Numbered(100);
        var loader = new BatchLoader(dataset, Identity(1), 10, torch.CPU, seed: 42);

        var order = loader.Order(3);

        Assert.Equal(order, new BatchLoader(dataset, Identity(1), 7, torch.CPU, seed: 42).Order(3));
        Assert.NotEqual(order, loader.Order(4));
        Assert.NotEqual(order, new BatchLoader(dataset, Identity(1), 10, torch.CPU, seed: 43).Order(3));
        Assert.Equal(Enumerable.Range(0, 100), order.Order()); // a permutation
        Assert.NotEqual(Enumerable.Range(0, 100), order);
    }

    [Fact]
    public void Batches_FollowTheOrder_WithMatchingInt64Labels()
    {
        var dataset = Numbered(23);
        var loader = new BatchLoader(dataset, Identity(1), 5, torch.CPU, seed: 1);
        var order = loader.Order(1);

        var seen = new List<int>();
        foreach (var batch in loader.Epoch(1))
            using (batch)
            {
                Assert.Equal(ScalarType.Int64, batch.Labels.dtype);
                Assert.Equal(ScalarType.Float32, batch.Images.dtype);
                Assert.Equal([batch.Size, 1L, 4, 4], batch.Images.shape);
                var ids = ExampleIds(batch, 16);
                Assert.Equal(ids.Select(i => (long)(i % 5)), batch.Labels.ToArray<long>());
                seen.AddRange(ids);
            }

        Assert.Equal(order, seen);
    }

    [Fact]
    public void LastBatch_IsSmaller_NotDropped()
    {
        var loader = new BatchLoader(Numbered(23), Identity(1), 5, torch.CPU);

        var sizes = loader.Epoch(0).Select(b => { using (b) return b.Size; }).ToArray();

        Assert.Equal(5, loader.StepsPerEpoch);
        Assert.Equal([5, 5, 5, 5, 3], sizes);
    }

    [Fact]
    public void MaxSteps_CutsTheEpoch()
    {
        var loader = new BatchLoader(Numbered(100), Identity(1), 10, torch.CPU, maxSteps: 3);

        Assert.Equal(3, loader.StepsPerEpoch);
        Assert.Equal(3, loader.Epoch(0).Count(b => { b.Dispose(); return true; }));
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.GetBatch(0, 3));
    }

    [Fact]
    public void WithoutShuffle_VisitsExamplesInStoredOrder()
    {
        var loader = new BatchLoader(Numbered(12), Identity(1), 4, torch.CPU, shuffle: false);

        using var batch = loader.GetBatch(7, 1);

        Assert.Equal([4, 5, 6, 7], ExampleIds(batch, 16));
    }

    [Fact]
    public void ResumingMidEpoch_WithAFreshLoader_RebuildsTheSameBatches()
    {
        // libtorch's generator is process-wide and other tests use it in parallel: the loader not
        // depending on it is what lets a fresh loader (as after a restart) agree with the first.
        var dataset = Numbered(40, channels: 3, side: 6);
        var normalization = ChannelNormalization.Compute(dataset);
        var first = new BatchLoader(dataset, normalization, 8, torch.CPU, seed: 5, augment: true);
        var fullEpoch = first.Epoch(2).Select(b => { using (b) return b.Images.ToArray<float>(); }).ToArray();

        var resumed = new BatchLoader(dataset, normalization, 8, torch.CPU, seed: 5, augment: true);
        var tail = resumed.Epoch(2, firstStep: 3).Select(b => { using (b) return b.Images.ToArray<float>(); }).ToArray();

        Assert.Equal(fullEpoch[3..], tail);
    }

    [Fact]
    public void Normalization_AppliesPerChannelMeanAndStd()
    {
        // One 2-channel 1x2 image: channel 0 = [0, 255], channel 1 = [51, 102].
        var dataset = new ImageDataset("tiny", [0, 255, 51, 102], [0], 2, 1, 2, 1);
        var normalization = new ChannelNormalization([0.5f, 0.1f], [0.25f, 0.2f]);
        var loader = new BatchLoader(dataset, normalization, 1, torch.CPU);

        using var batch = loader.GetBatch(0, 0);

        var expected = new[] { (0f - 0.5f) / 0.25f, (1f - 0.5f) / 0.25f, (0.2f - 0.1f) / 0.2f, (0.4f - 0.1f) / 0.2f };
        var actual = batch.Images.ToArray<float>();
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5f);
    }

    [Fact]
    public void NormalizedBatches_OfTheWholeSet_HaveZeroMeanAndUnitStd()
    {
        var splits = SyntheticDataset.Create(new SyntheticOptions { TrainCount = 64, Channels = 3, Height = 6, Width = 6 });
        var loader = new BatchLoader(splits.Train, splits.Normalization, 64, torch.CPU);

        using var batch = loader.GetBatch(0, 0);
        using var scope = torch.NewDisposeScope();
        var perChannel = batch.Images.transpose(0, 1).reshape(3, -1);
        var mean = perChannel.mean(1).ToArray<float>();
        var variance = perChannel.var(1, unbiased: false).ToArray<float>();

        Assert.All(mean, m => Assert.Equal(0f, m, 1e-4f));
        Assert.All(variance, v => Assert.Equal(1f, v, 1e-3f));
    }

    [Fact]
    public void Augmentation_KeepsShape_AndIsDeterministicPerSeed()
    {
        var splits = SyntheticDataset.Create(new SyntheticOptions { TrainCount = 16, Channels = 3, Height = 8, Width = 8 });
        BatchLoader Make(int seed) => new(splits.Train, splits.Normalization, 16, torch.CPU, seed: seed, augment: true);

        using var a = Make(3).GetBatch(0, 0);
        using var b = Make(3).GetBatch(0, 0);
        using var c = Make(4).GetBatch(0, 0);
        using var plain = new BatchLoader(splits.Train, splits.Normalization, 16, torch.CPU, seed: 3).GetBatch(0, 0);

        Assert.True(Make(3).Augments);
        Assert.Equal([16L, 3, 8, 8], a.Images.shape);
        Assert.Equal(a.Images.ToArray<float>(), b.Images.ToArray<float>());
        Assert.NotEqual(a.Images.ToArray<float>(), c.Images.ToArray<float>());
        Assert.NotEqual(a.Images.ToArray<float>(), plain.Images.ToArray<float>());
        Assert.Equal(plain.Labels.ToArray<long>(), a.Labels.ToArray<long>()); // same order: augmentation draws from its own stream
    }

    [Theory]
    [InlineData(6)]
    [InlineData(3)] // narrower than the padding: some crops are all padding
    public void Augmentation_IsAZeroPaddedCropOfTheImage_MaybeMirrored(int side)
    {
        var splits = SyntheticDataset.Create(new SyntheticOptions { TrainCount = 20, Channels = 3, Height = side, Width = side, Seed = 2 });
        var loader = new BatchLoader(splits.Train, splits.Normalization, 20, torch.CPU, seed: 11, augment: true);
        var tables = Enumerable.Range(0, 3).Select(c => (Func<int, float>)(v => (v / 255f - splits.Normalization.Mean[c]) / splits.Normalization.Std[c])).ToArray();

        using var batch = loader.GetBatch(0, 0);
        var values = batch.Images.ToArray<float>();
        var order = loader.Order(0);
        var flips = 0;
        for (var k = 0; k < batch.Size; k++)
        {
            var original = splits.Train.Image(order[k]).ToArray();
            var augmented = values.AsSpan(k * 3 * side * side, 3 * side * side).ToArray();
            // Some shift in [-4, 4]^2 with or without a mirror must reproduce the output exactly.
            var match = (from dy in Enumerable.Range(-4, 9)
                         from dx in Enumerable.Range(-4, 9)
                         from flip in new[] { false, true }
                         where Matches(original, augmented, dy, dx, flip)
                         select flip).ToArray();
            Assert.NotEmpty(match);
            if (match.All(f => f)) flips++;
        }
        Assert.InRange(flips, 1, batch.Size - 1); // both mirrored and unmirrored examples occur

        bool Matches(byte[] original, float[] augmented, int dy, int dx, bool flip)
        {
            for (var c = 0; c < 3; c++)
                for (var y = 0; y < side; y++)
                    for (var x = 0; x < side; x++)
                    {
                        int sy = y + dy, sx = (flip ? side - 1 - x : x) + dx;
                        var pixel = sy >= 0 && sy < side && sx >= 0 && sx < side ? original[c * side * side + sy * side + sx] : 0;
                        if (Math.Abs(tables[c](pixel) - augmented[c * side * side + y * side + x]) > 1e-5f) return false;
                    }
            return true;
        }
    }

    [Fact]
    public void Augmentation_IsSkippedForGreyImages()
    {
        var dataset = Numbered(8);
        var loader = new BatchLoader(dataset, Identity(1), 8, torch.CPU, augment: true);

        using var batch = loader.GetBatch(0, 0);

        Assert.False(loader.Augments);
        Assert.All(batch.Images.ToArray<float>().Chunk(16), image => Assert.All(image, v => Assert.Equal(image[0], v)));
    }

    [Fact]
    public void Batches_OutliveTheScopeTheyWereMadeIn_UntilDisposed()
    {
        var loader = new BatchLoader(Numbered(8), Identity(1), 4, torch.CPU);

        Batch batch;
        using (torch.NewDisposeScope()) batch = loader.GetBatch(0, 0);
        Assert.False(batch.Images.IsDisposed);
        Assert.False(batch.Labels.IsDisposed);
        batch.Dispose();

        Assert.True(batch.Images.IsDisposed);
        Assert.True(batch.Labels.IsDisposed);
    }

    [Fact]
    public void NormalizationOfTheWrongChannelCount_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new BatchLoader(Numbered(4), Identity(3), 2, torch.CPU));

        Assert.Contains("3 channels", error.Message);
    }
}

/// <summary>Runs only where the linked libtorch sees a CUDA GPU.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available()) Skip = "No CUDA GPU visible to libtorch.";
    }
}

public class BatchLoaderCudaTests
{
    [CudaFact]
    public void Batches_AreMovedToTheGivenDevice()
    {
        var splits = SyntheticDataset.Create(new SyntheticOptions { TrainCount = 10, Height = 4, Width = 4 });
        var loader = new BatchLoader(splits.Train, splits.Normalization, 4, torch.CUDA);
        var onCpu = new BatchLoader(splits.Train, splits.Normalization, 4, torch.CPU);

        using var batch = loader.GetBatch(0, 1);
        using var reference = onCpu.GetBatch(0, 1);

        Assert.Equal(DeviceType.CUDA, batch.Images.device.Type);
        Assert.Equal(DeviceType.CUDA, batch.Labels.device.Type);
        Assert.Equal(reference.Images.ToArray<float>(), batch.Images.ToArray<float>());
    }
}
