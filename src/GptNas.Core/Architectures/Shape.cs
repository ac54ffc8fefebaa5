namespace GptNas.Architectures;

/// <summary>A feature map's size. Written H x W x C in text, as GPT-NAS §3 writes layer sizes.</summary>
public readonly record struct Shape(int Channels, int Height, int Width)
{
    public long Elements => (long)Channels * Height * Width;

    public Shape WithChannels(int channels) => this with { Channels = channels };

    /// <summary>The "HxWxC" text form, e.g. <c>32x32x3</c>.</summary>
    public override string ToString() => $"{Height}x{Width}x{Channels}";

    public static bool TryParse(string text, out Shape shape)
    {
        shape = default;
        var parts = text.Split('x');
        if (parts.Length != 3) return false;
        if (!int.TryParse(parts[0], out var h) || !int.TryParse(parts[1], out var w) || !int.TryParse(parts[2], out var c)) return false;
        if (h <= 0 || w <= 0 || c <= 0) return false;
        shape = new Shape(c, h, w);
        return true;
    }

    /// <summary>Output length of a sliding window, as PyTorch computes it for conv and pool layers.</summary>
    public static int SlidingOutput(int size, int kernel, int stride, int padding, int dilation = 1, bool ceil = false)
    {
        // PyTorch's pooling_output_shape: floor division, plus stride - 1 in ceil mode.
        var numerator = size + 2 * padding - dilation * (kernel - 1) - 1 + (ceil ? stride - 1 : 0);
        var output = (int)Math.Floor((double)numerator / stride) + 1;
        // Ceil mode never starts a window inside the right padding.
        if (ceil && output > 0 && (output - 1) * stride >= size + padding) output--;
        return Math.Max(output, 0);
    }
}
