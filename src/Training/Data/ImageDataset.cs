namespace Tracker.Training.Data;

/// <summary>
/// An in-memory image classification set: uint8 pixels in N x C x H x W order plus int64 labels.
/// Pixels live in chunks of whole images (each under 1 GiB) so sets larger than one .NET array
/// (downsampled ImageNet, say) still load; <see cref="Image"/> hides the chunking.
/// </summary>
public sealed class ImageDataset
{
    // Keeps each chunk well inside Array.MaxLength.
    private const long MaxChunkBytes = 1L << 30;

    private readonly byte[][] _chunks;
    private readonly int _imagesPerChunk;
    private readonly long[] _labels;

    /// <summary>Wraps one array of N x C x H x W pixels (not copied).</summary>
    public ImageDataset(string name, byte[] images, long[] labels, int channels, int height, int width, int classCount)
        : this(name, [images], labels.Length, labels, channels, height, width, classCount)
    {
        if ((long)labels.Length * channels * height * width != images.Length)
            throw new ArgumentException(
                $"{labels.Length} labels of {channels}x{height}x{width} images need {(long)labels.Length * channels * height * width} pixels; {images.Length} were given.",
                nameof(images));
    }

    private ImageDataset(string name, byte[][] chunks, int imagesPerChunk, long[] labels, int channels, int height, int width, int classCount)
    {
        if (channels < 1 || height < 1 || width < 1)
            throw new ArgumentException($"Image shape {channels}x{height}x{width} must be positive in every dimension.");
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A dataset needs at least one class.");
        for (var i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= classCount)
                throw new ArgumentException($"Label {labels[i]} of example {i} is outside 0..{classCount - 1} ({name} has {classCount} classes).", nameof(labels));
        Name = name;
        _chunks = chunks;
        _imagesPerChunk = Math.Max(imagesPerChunk, 1);
        _labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        ClassCount = classCount;
    }

    public string Name { get; }
    public int Count => _labels.Length;
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int ClassCount { get; }

    /// <summary>Bytes (= pixels) of one image: C * H * W.</summary>
    public int ImageSize => Channels * Height * Width;

    public ReadOnlySpan<long> Labels => _labels;

    /// <summary>The C x H x W pixels of one example.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"{Name} holds {Count} images.");
        return _chunks[index / _imagesPerChunk].AsSpan(index % _imagesPerChunk * ImageSize, ImageSize);
    }

    public long Label(int index) => _labels[index];

    /// <summary>Examples per class, indexed by label.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (var label in _labels) counts[label]++;
        return counts;
    }

    /// <summary>A copy holding the given examples in the given order.</summary>
    public ImageDataset Select(IReadOnlyList<int> indices, string? name = null)
    {
        var builder = new Builder(name ?? Name, indices.Count, Channels, Height, Width, ClassCount);
        for (var i = 0; i < indices.Count; i++)
        {
            Image(indices[i]).CopyTo(builder.ImageBuffer(i));
            builder.SetLabel(i, _labels[indices[i]]);
        }
        return builder.Build();
    }

    /// <summary>
    /// A seeded, class-stratified subset of <paramref name="count"/> examples: each class keeps its
    /// share of the whole (largest remainders get the leftover slots), chosen at random within the
    /// class, so even a tiny subset sees every class. The same seed gives the same subset. Examples
    /// keep their original relative order. A count at or above <see cref="Count"/> returns this set.
    /// </summary>
    public ImageDataset Subset(int count, int seed)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "A subset needs at least one example.");
        if (count >= Count) return this;
        var chosen = StratifiedSample(count, new Random(SeedMixer.Mix(seed, SeedStreams.Subset)));
        return Select(chosen, $"{Name} (subset {count})");
    }

    /// <summary>
    /// Splits off a seeded, class-stratified holdout of <paramref name="holdoutCount"/> examples
    /// (for validation where a dataset ships no test split); the rest is the training part.
    /// </summary>
    public (ImageDataset Train, ImageDataset Holdout) Split(int holdoutCount, int seed)
    {
        if (holdoutCount < 1 || holdoutCount >= Count)
            throw new ArgumentOutOfRangeException(nameof(holdoutCount), holdoutCount, $"The holdout must leave both parts non-empty ({Name} holds {Count}).");
        var holdout = StratifiedSample(holdoutCount, new Random(SeedMixer.Mix(seed, SeedStreams.Holdout)));
        var inHoldout = new bool[Count];
        foreach (var index in holdout) inHoldout[index] = true;
        var train = Enumerable.Range(0, Count).Where(i => !inHoldout[i]).ToArray();
        return (Select(train, Name), Select(holdout, $"{Name} (holdout)"));
    }

    /// <summary>Indices of <paramref name="count"/> examples, proportional per class, sorted ascending.</summary>
    private int[] StratifiedSample(int count, Random random)
    {
        var byClass = new List<int>[ClassCount];
        for (var c = 0; c < ClassCount; c++) byClass[c] = [];
        for (var i = 0; i < Count; i++) byClass[_labels[i]].Add(i);

        // Largest-remainder apportionment: floor of each exact share, then one more to the classes
        // with the biggest fractional parts (ties to the lower class index, for determinism).
        var quotas = new int[ClassCount];
        var remainders = new (double Fraction, int Class)[ClassCount];
        var assigned = 0;
        for (var c = 0; c < ClassCount; c++)
        {
            var exact = (double)count * byClass[c].Count / Count;
            quotas[c] = (int)Math.Floor(exact);
            assigned += quotas[c];
            remainders[c] = (exact - quotas[c], c);
        }
        foreach (var (_, c) in remainders.OrderByDescending(r => r.Fraction).ThenBy(r => r.Class))
        {
            if (assigned == count) break;
            if (quotas[c] < byClass[c].Count) { quotas[c]++; assigned++; }
        }

        var chosen = new List<int>(count);
        for (var c = 0; c < ClassCount; c++)
        {
            var members = byClass[c].ToArray();
            random.Shuffle(members);
            chosen.AddRange(members.AsSpan(0, quotas[c]));
        }
        chosen.Sort();
        return [.. chosen];
    }

    /// <summary>Fills a dataset image by image; readers write straight into its chunked storage.</summary>
    internal sealed class Builder
    {
        private readonly string _name;
        private readonly byte[][] _chunks;
        private readonly int _imagesPerChunk;
        private readonly long[] _labels;
        private readonly int _channels, _height, _width, _classCount;

        public Builder(string name, int count, int channels, int height, int width, int classCount, long maxChunkBytes = MaxChunkBytes)
        {
            if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
            _name = name;
            _channels = channels;
            _height = height;
            _width = width;
            _classCount = classCount;
            ImageSize = checked(channels * height * width);
            _imagesPerChunk = (int)Math.Max(1, Math.Min(count, maxChunkBytes / ImageSize));
            var chunkCount = count == 0 ? 0 : (count + _imagesPerChunk - 1) / _imagesPerChunk;
            _chunks = new byte[chunkCount][];
            for (var k = 0; k < chunkCount; k++)
            {
                var imagesInChunk = Math.Min(_imagesPerChunk, count - k * _imagesPerChunk);
                _chunks[k] = GC.AllocateUninitializedArray<byte>(imagesInChunk * ImageSize);
            }
            _labels = new long[count];
        }

        public int ImageSize { get; }
        public (int Channels, int Height, int Width) Shape => (_channels, _height, _width);
        public int Count => _labels.Length;

        public Span<byte> ImageBuffer(int index) => _chunks[index / _imagesPerChunk].AsSpan(index % _imagesPerChunk * ImageSize, ImageSize);

        /// <summary>Fills every image from a stream of N x C x H x W bytes, one chunk per read.</summary>
        public void ReadImages(Stream source)
        {
            foreach (var chunk in _chunks) source.ReadExactly(chunk);
        }

        public void SetLabel(int index, long label) => _labels[index] = label;

        public Span<long> LabelBuffer => _labels;

        public ImageDataset Build(int? classCount = null) =>
            new(_name, _chunks, _imagesPerChunk, _labels, _channels, _height, _width, classCount ?? _classCount);
    }
}
