namespace GptNas.Data;

/// <summary>Per-channel mean and standard deviation of pixel values scaled to [0, 1].</summary>
public sealed record ChannelStats(float[] Mean, float[] Std)
{
    /// <summary>No normalisation: x / 255 only.</summary>
    public static ChannelStats Identity(int channels) =>
        new(new float[channels], Enumerable.Repeat(1f, channels).ToArray());

    /// <summary>Exact statistics over every pixel of <paramref name="data"/>.</summary>
    public static ChannelStats Compute(ImageDataset data)
    {
        // A 256-bin histogram per channel: exact (no float drift over 50M pixels) and one pass over memory.
        int channels = data.Channels, plane = data.Height * data.Width;
        var histogram = new long[channels, 256];
        var pixels = data.Pixels;
        for (int i = 0; i < data.Count; i++)
            for (int c = 0; c < channels; c++)
            {
                var span = pixels.AsSpan((i * channels + c) * plane, plane);
                foreach (var v in span) histogram[c, v]++;
            }
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double n = 0, sum = 0, squares = 0;
            for (int v = 0; v < 256; v++)
            {
                double x = v / 255.0, k = histogram[c, v];
                n += k; sum += k * x; squares += k * x * x;
            }
            double m = n > 0 ? sum / n : 0;
            double variance = n > 0 ? Math.Max(0, squares / n - m * m) : 0;
            mean[c] = (float)m;
            // A constant channel would divide by zero; 1 leaves it centred but unscaled.
            std[c] = variance > 1e-12 ? (float)Math.Sqrt(variance) : 1f;
        }
        return new ChannelStats(mean, std);
    }

    public override string ToString() =>
        $"mean [{string.Join(", ", Mean.Select(m => m.ToString("F4")))}] std [{string.Join(", ", Std.Select(s => s.ToString("F4")))}]";
}
