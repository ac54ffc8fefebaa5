namespace GptNas.Data;

/// <summary>
/// Turns a data set into normalised float batches, N x C x H x W with <c>(x / 255 - mean[c]) / std[c]</c>,
/// augmenting each image on the way. Writes into caller-owned buffers so a training loop allocates nothing
/// per batch.
/// </summary>
/// <remarks>
/// Deterministic: the order of epoch e is a shuffle by <c>Seeds(seed).Random("epoch/e/order")</c>; the crop and
/// flip of image i in epoch e come from the cheap stream <c>Seeds(seed).Stream(e, i)</c>. The same batch is therefore
/// identical whatever the thread count or timing, and whichever batch size or order the image lands in.
/// Thread-safe for concurrent <see cref="Fill"/> calls.
/// </remarks>
public sealed class BatchSampler
{
    private readonly float[] _table;     // (C, 256): normalised value of each byte per channel
    private readonly object _orderLock = new();
    private (int Epoch, int[] Order)? _lastOrder;

    public ImageDataset Data { get; }
    public int BatchSize { get; }
    public ChannelStats Normalization { get; }
    public Augmentation Augmentation { get; }
    public int Seed { get; }
    public bool Shuffle { get; }

    /// <summary>True: the last, smaller batch of an epoch is left out (keeps batch statistics even).</summary>
    public bool DropLast { get; }

    /// <summary>Floats per image: C * H * W.</summary>
    public int ImageSize => Data.ImageSize;

    public int BatchCount => DropLast ? Data.Count / BatchSize : (Data.Count + BatchSize - 1) / BatchSize;

    public BatchSampler(ImageDataset data, int batchSize, ChannelStats normalization, Augmentation? augmentation = null,
        int seed = 0, bool shuffle = true, bool dropLast = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (normalization.Mean.Length != data.Channels || normalization.Std.Length != data.Channels)
            throw new ArgumentException($"normalisation has {normalization.Mean.Length} channels, the data {data.Channels}", nameof(normalization));
        augmentation ??= Augmentation.None;
        ArgumentOutOfRangeException.ThrowIfNegative(augmentation.CropPadding);
        Data = data;
        BatchSize = batchSize;
        Normalization = normalization;
        Augmentation = augmentation;
        Seed = seed;
        Shuffle = shuffle;
        DropLast = dropLast;
        _table = new float[data.Channels * 256];
        for (int c = 0; c < data.Channels; c++)
            for (int v = 0; v < 256; v++)
                _table[c * 256 + v] = (v / 255f - normalization.Mean[c]) / normalization.Std[c];
    }

    /// <summary>A buffer that holds one full batch of images.</summary>
    public float[] NewImageBuffer() => new float[BatchSize * ImageSize];
    public long[] NewLabelBuffer() => new long[BatchSize];

    /// <summary>The data set indices of epoch <paramref name="epoch"/> in visiting order.</summary>
    public int[] Order(int epoch)
    {
        lock (_orderLock)
        {
            if (_lastOrder is { } last && last.Epoch == epoch) return last.Order;
            var order = Enumerable.Range(0, Data.Count).ToArray();
            if (Shuffle) new Seeds(Seed).Random($"epoch/{epoch}/order").Shuffle(order);
            _lastOrder = (epoch, order);
            return order;
        }
    }

    /// <summary>
    /// Writes batch <paramref name="batch"/> of <paramref name="epoch"/> into <paramref name="images"/>
    /// (N x C x H x W) and <paramref name="labels"/>; returns N, which is below <see cref="BatchSize"/> only
    /// for the last batch of an epoch.
    /// </summary>
    public int Fill(int epoch, int batch, float[] images, long[] labels)
    {
        if ((uint)batch >= (uint)BatchCount) throw new ArgumentOutOfRangeException(nameof(batch), $"batch {batch} of {BatchCount}");
        var order = Order(epoch);
        int start = batch * BatchSize, count = Math.Min(BatchSize, Data.Count - start), size = ImageSize;
        if (images.Length < count * size || labels.Length < count)
            throw new ArgumentException($"buffers hold {images.Length} floats and {labels.Length} labels; batch needs {count * size} and {count}");
        Parallel.For(0, count, k =>
        {
            int index = order[start + k];
            labels[k] = Data.Labels[index];
            Write(index, epoch, images.AsSpan(k * size, size));
        });
        return count;
    }

    /// <summary>One image, cropped, flipped and normalised, into <paramref name="output"/> (C x H x W).</summary>
    private void Write(int index, int epoch, Span<float> output)
    {
        int channels = Data.Channels, height = Data.Height, width = Data.Width, pad = Augmentation.CropPadding;
        var random = new Seeds(Seed).Stream(epoch, index);
        // Offsets into the padded image; dx = dy = pad is the uncropped centre.
        int dx = pad > 0 ? random.Next(2 * pad + 1) : 0, dy = pad > 0 ? random.Next(2 * pad + 1) : 0;
        var coin = (random.Next() & 1) == 1;
        // Alternating: image i's first-epoch coin, inverted in odd epochs (a stream of its own, so the crops stay as they were).
        if (Augmentation.AlternatingFlip) coin = ((new Seeds(Seed).Stream(-1, index).Next() & 1) == 1) ^ ((epoch & 1) == 1);
        bool flip = Augmentation.HorizontalFlip && coin;
        var source = Data.Image(index);
        // Output column x reads source column first + step * x (flip walks the crop backwards).
        int step = flip ? -1 : 1, first = flip ? width - 1 + dx - pad : dx - pad;
        if (Augmentation.ReflectPadding && pad > 0)
        {
            WriteReflected(source, output, first, step, dy - pad);
            return;
        }
        // Output columns whose source column lies inside the image; the rest is padding.
        int lo = flip ? Math.Max(0, first - width + 1) : Math.Max(0, -first);
        int hi = flip ? Math.Min(width, first + 1) : Math.Min(width, width - first);
        for (int c = 0; c < channels; c++)
        {
            var table = _table.AsSpan(c * 256, 256);
            float zero = table[0]; // zero padding is a black pixel before normalisation, as torchvision pads
            var plane = source.Slice(c * height * width, height * width);
            for (int y = 0; y < height; y++)
            {
                var row = output.Slice((c * height + y) * width, width);
                int sy = y + dy - pad;
                if (sy < 0 || sy >= height || lo >= hi) { row.Fill(zero); continue; }
                var sourceRow = plane.Slice(sy * width, width);
                row[..lo].Fill(zero);
                row[hi..].Fill(zero);
                for (int x = lo, sx = first + step * lo; x < hi; x++, sx += step)
                    row[x] = table[sourceRow[sx]];
            }
        }
    }

    /// <summary>The crop of <see cref="Write"/> from a mirror-padded image (torch's <c>pad(..., "reflect")</c>: the edge pixel is not repeated).</summary>
    private void WriteReflected(ReadOnlySpan<byte> source, Span<float> output, int first, int step, int top)
    {
        int channels = Data.Channels, height = Data.Height, width = Data.Width;
        for (int c = 0; c < channels; c++)
        {
            var table = _table.AsSpan(c * 256, 256);
            var plane = source.Slice(c * height * width, height * width);
            for (int y = 0; y < height; y++)
            {
                var row = output.Slice((c * height + y) * width, width);
                var sourceRow = plane.Slice(Reflect(y + top, height) * width, width);
                for (int x = 0, sx = first; x < width; x++, sx += step) row[x] = table[sourceRow[Reflect(sx, width)]];
            }
        }
    }

    /// <summary>Index <paramref name="i"/> mirrored into [0, size), again and again for a padding wider than the image.</summary>
    private static int Reflect(int i, int size)
    {
        if (size == 1) return 0;
        var period = 2 * size - 2;
        i = (i % period + period) % period;
        return i < size ? i : period - i;
    }
}
