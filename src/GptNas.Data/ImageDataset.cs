namespace GptNas.Data;

/// <summary>
/// Labelled images held in memory as raw bytes: pixels of image i, channel c, row y, column x at
/// <c>((i * C + c) * H + y) * W + x</c> (N x C x H x W, the layout tensors use), one label per image.
/// </summary>
/// <remarks>
/// Bytes rather than floats: a quarter of the memory (CIFAR-10 train is 150 MB), and normalisation is
/// done per batch by <see cref="BatchSampler"/>, where it is fused with augmentation. One array caps a
/// data set at <see cref="Array.MaxLength"/> bytes (about 2 GB, e.g. 700,000 images of 32x32x3).
/// </remarks>
public sealed class ImageDataset
{
    /// <summary>All pixels, N x C x H x W, values 0..255.</summary>
    public byte[] Pixels { get; }

    /// <summary>Class id per image, 0 .. <see cref="ClassCount"/> - 1.</summary>
    public int[] Labels { get; }

    /// <summary>Class names by id (for image folders: the folder names in ordinal order).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>Where the images came from, for logs and trial records, e.g. "cifar10-jpg.tar.gz train".</summary>
    public string Source { get; }

    public int Count => Labels.Length;
    public int ClassCount => ClassNames.Count;

    /// <summary>Bytes per image: C * H * W.</summary>
    public int ImageSize => Channels * Height * Width;

    public ImageDataset(byte[] pixels, int[] labels, IReadOnlyList<string> classNames,
        int channels, int height, int width, string source)
    {
        if (channels < 1 || height < 1 || width < 1)
            throw new DataException($"{source}: image shape {channels}x{height}x{width} is not positive; the file header is damaged");
        if (classNames.Count < 1)
            throw new DataException($"{source}: no classes; a data set needs at least one class");
        if ((long)labels.Length * channels * height * width != pixels.LongLength)
            throw new DataException($"{source}: {pixels.LongLength} pixel bytes do not hold {labels.Length} images of {channels}x{height}x{width}; the data is truncated");
        foreach (var label in labels)
            if ((uint)label >= (uint)classNames.Count)
                throw new DataException($"{source}: label {label} is outside the {classNames.Count} classes; the label file does not belong to these images");
        Pixels = pixels;
        Labels = labels;
        ClassNames = classNames.ToArray();
        Channels = channels;
        Height = height;
        Width = width;
        Source = source;
    }

    /// <summary>The bytes of image <paramref name="index"/>, C x H x W.</summary>
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * ImageSize, ImageSize);

    /// <summary>A copy holding the given images in the given order.</summary>
    public ImageDataset Subset(IReadOnlyList<int> indices, string source)
    {
        int size = ImageSize;
        var pixels = new byte[(long)indices.Count * size];
        var labels = new int[indices.Count];
        for (int k = 0; k < indices.Count; k++)
        {
            Image(indices[k]).CopyTo(pixels.AsSpan(k * size, size));
            labels[k] = Labels[indices[k]];
        }
        return new ImageDataset(pixels, labels, ClassNames, Channels, Height, Width, source);
    }

    /// <summary>Images per class, indexed by class id.</summary>
    public int[] CountPerClass()
    {
        var counts = new int[ClassCount];
        foreach (var label in Labels) counts[label]++;
        return counts;
    }

    public override string ToString() =>
        $"{Source}: {Count} images {Channels}x{Height}x{Width}, {ClassCount} classes";
}
