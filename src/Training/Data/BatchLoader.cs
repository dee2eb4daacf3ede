using System.Buffers;
using Tracker.Training.Torch;

namespace Tracker.Training.Data;

/// <summary>One mini-batch: float32 images N x C x H x W (normalised) and int64 labels N, on the loader's device.</summary>
/// <remarks>The batch owns its tensors (they belong to no dispose scope): dispose it when the step is done.</remarks>
public sealed class Batch(Tensor images, Tensor labels, int size) : IDisposable
{
    public Tensor Images { get; } = images;
    public Tensor Labels { get; } = labels;
    public int Size { get; } = size;

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Cuts a dataset into mini-batches. Every random choice (the epoch's order, each batch's crops
/// and flips) comes from a System.Random seeded by (seed, epoch[, step]) alone, never from
/// libtorch's generator, so any batch can be rebuilt exactly: a run resumed mid-epoch sees the
/// same batches it would have seen. The last batch may be smaller (no drop_last). Not thread-safe.
/// </summary>
public sealed class BatchLoader
{
    private const int CropPadding = 4;

    private readonly ImageDataset _dataset;
    private readonly float[][] _lookup;
    private readonly Device _device;
    private readonly bool _shuffle;
    private readonly int _seed;
    private int _cachedEpoch;
    private int[]? _cachedOrder;

    /// <param name="augment">
    /// Random crop (4-pixel zero padding, as torchvision pads before normalising) and horizontal
    /// flip; applied to 3-channel (RGB) data only, see <see cref="Augments"/>.
    /// </param>
    /// <param name="maxSteps">Cut every epoch after this many batches; null = the whole dataset.</param>
    public BatchLoader(ImageDataset dataset, ChannelNormalization normalization, int batchSize, Device device,
        bool shuffle = true, int seed = 0, bool augment = false, int? maxSteps = null)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        if (maxSteps is < 1) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, "maxSteps must be at least 1 (or null for whole epochs).");
        if (normalization.Channels != dataset.Channels)
            throw new ArgumentException($"The normalisation has {normalization.Channels} channels but {dataset.Name} has {dataset.Channels}.", nameof(normalization));
        if (dataset.Count == 0) throw new ArgumentException($"{dataset.Name} is empty.", nameof(dataset));
        _dataset = dataset;
        _lookup = normalization.LookupTables();
        _device = device;
        _shuffle = shuffle;
        _seed = seed;
        BatchSize = batchSize;
        Augments = augment && dataset.Channels == 3;
        var fullSteps = (dataset.Count + batchSize - 1) / batchSize;
        StepsPerEpoch = maxSteps is { } limit ? Math.Min(fullSteps, limit) : fullSteps;
    }

    public ImageDataset Dataset => _dataset;
    public Device Device => _device;
    public int BatchSize { get; }
    public int StepsPerEpoch { get; }

    /// <summary>Whether batches are cropped and flipped (asked for, and the data is RGB).</summary>
    public bool Augments { get; }

    /// <summary>The order examples are visited in during <paramref name="epoch"/>: a seeded permutation, or 0..N-1 without shuffling.</summary>
    public int[] Order(int epoch) => (int[])OrderOf(epoch).Clone();

    /// <summary>The batches of an epoch, from <paramref name="firstStep"/> on (to resume mid-epoch).</summary>
    public IEnumerable<Batch> Epoch(int epoch, int firstStep = 0)
    {
        for (var step = firstStep; step < StepsPerEpoch; step++) yield return GetBatch(epoch, step);
    }

    /// <summary>Builds batch <paramref name="step"/> of <paramref name="epoch"/>; the same arguments always give the same batch.</summary>
    public Batch GetBatch(int epoch, int step)
    {
        if ((uint)step >= (uint)StepsPerEpoch) throw new ArgumentOutOfRangeException(nameof(step), step, $"An epoch has {StepsPerEpoch} steps.");
        var order = OrderOf(epoch);
        var first = step * BatchSize;
        var size = Math.Min(BatchSize, _dataset.Count - first);
        var imageSize = _dataset.ImageSize;

        var pixels = ArrayPool<float>.Shared.Rent(size * imageSize);
        var labels = ArrayPool<long>.Shared.Rent(size);
        try
        {
            var random = Augments ? new Random(SeedMixer.Mix(_seed, SeedStreams.Augment, epoch, step)) : null;
            for (var k = 0; k < size; k++)
            {
                var index = order[first + k];
                labels[k] = _dataset.Label(index);
                var target = pixels.AsSpan(k * imageSize, imageSize);
                if (random is null) Normalize(_dataset.Image(index), target);
                else CropFlipNormalize(_dataset.Image(index), target, random.Next(2 * CropPadding + 1), random.Next(2 * CropPadding + 1), random.Next(2) == 1);
            }
            var images = ToDevice(torch.from_span<float>(pixels.AsSpan(0, size * imageSize), [size, _dataset.Channels, _dataset.Height, _dataset.Width]));
            try
            {
                return new Batch(images, ToDevice(torch.from_span<long>(labels.AsSpan(0, size), [size])), size);
            }
            catch
            {
                images.Dispose();
                throw;
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(pixels);
            ArrayPool<long>.Shared.Return(labels);
        }
    }

    private int[] OrderOf(int epoch)
    {
        if (_cachedOrder is not null && _cachedEpoch == epoch) return _cachedOrder;
        var order = new int[_dataset.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        if (_shuffle) new Random(SeedMixer.Mix(_seed, SeedStreams.Shuffle, epoch)).Shuffle(order);
        _cachedEpoch = epoch;
        _cachedOrder = order;
        return order;
    }

    private void Normalize(ReadOnlySpan<byte> image, Span<float> target)
    {
        var plane = _dataset.Height * _dataset.Width;
        for (var c = 0; c < _dataset.Channels; c++)
        {
            var table = _lookup[c];
            var source = image.Slice(c * plane, plane);
            var destination = target.Slice(c * plane, plane);
            for (var p = 0; p < plane; p++) destination[p] = table[source[p]];
        }
    }

    // torchvision's RandomCrop(padding=4) then RandomHorizontalFlip: output (y, x) reads input
    // (y + dy - 4, x' + dx - 4) with x' = W-1-x when flipped; outside the image it is a zero pixel.
    private void CropFlipNormalize(ReadOnlySpan<byte> image, Span<float> target, int dy, int dx, bool flip)
    {
        int height = _dataset.Height, width = _dataset.Width, plane = height * width;
        for (var c = 0; c < _dataset.Channels; c++)
        {
            var table = _lookup[c];
            var padValue = table[0];
            var source = image.Slice(c * plane, plane);
            for (var y = 0; y < height; y++)
            {
                var row = target.Slice(c * plane + y * width, width);
                var sourceY = y + dy - CropPadding;
                if (sourceY < 0 || sourceY >= height)
                {
                    row.Fill(padValue);
                    continue;
                }
                // Columns [start, end) read inside the image; the rest are padding.
                var offset = dx - CropPadding;
                var start = Math.Min(width, flip ? Math.Max(0, offset) : Math.Max(0, -offset));
                var end = Math.Max(start, flip ? Math.Min(width, width + offset) : Math.Min(width, width - offset));
                row[..start].Fill(padValue);
                row[end..].Fill(padValue);
                var sourceRow = source.Slice(sourceY * width, width);
                if (flip)
                    for (var x = start; x < end; x++) row[x] = table[sourceRow[width - 1 - x + offset]];
                else
                    for (var x = start; x < end; x++) row[x] = table[sourceRow[x + offset]];
            }
        }
    }

    private Tensor ToDevice(Tensor cpuTensor)
    {
        cpuTensor.DetachFromDisposeScope();
        if (_device.Type == DeviceType.CPU) return cpuTensor;
        try
        {
            return cpuTensor.to(_device).DetachFromDisposeScope();
        }
        finally
        {
            cpuTensor.Dispose();
        }
    }
}
