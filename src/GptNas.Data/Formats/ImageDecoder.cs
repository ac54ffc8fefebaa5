using System.Buffers;
using SkiaSharp;

namespace GptNas.Data.Formats;

/// <summary>Decodes JPEG and PNG bytes with SkiaSharp into C x H x W bytes. Thread-safe: no shared state.</summary>
internal static class ImageDecoder
{
    /// <summary>Channels (1 for a grey image, else 3) and size of an encoded image.</summary>
    public static (int Channels, int Height, int Width) Probe(byte[] bytes, string name)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw NotAnImage(name, "unknown format");
        var info = codec.Info;
        return (info.ColorType == SKColorType.Gray8 ? 1 : 3, info.Height, info.Width);
    }

    /// <summary>Writes the image into <paramref name="destination"/> (C x H x W), resizing when its size
    /// differs; returns whether it was resized. Alpha is dropped: the data sets hold opaque photographs.</summary>
    public static unsafe bool Decode(byte[] bytes, string name, Span<byte> destination, int channels, int height, int width)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw NotAnImage(name, "unknown format");
        var decoded = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        bool resize = decoded.Width != width || decoded.Height != height;
        var target = decoded.WithSize(width, height);
        var rgba = ArrayPool<byte>.Shared.Rent(decoded.BytesSize + (resize ? target.BytesSize : 0));
        try
        {
            fixed (byte* p = rgba)
            {
                var result = codec.GetPixels(decoded, (IntPtr)p);
                // IncompleteInput: a truncated file still decodes its first rows; Skia fills the rest, as
                // other loaders (PIL with LOAD_TRUNCATED_IMAGES) do, so one damaged photo does not stop a run.
                if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
                    throw NotAnImage(name, result.ToString());
                byte* pixels = p;
                if (resize)
                {
                    pixels = p + decoded.BytesSize;
                    using var source = new SKPixmap(decoded, (IntPtr)p);
                    using var scaled = new SKPixmap(target, (IntPtr)pixels);
                    if (!source.ScalePixels(scaled, new SKSamplingOptions(SKCubicResampler.Mitchell)))
                        throw NotAnImage(name, $"could not resize {decoded.Width}x{decoded.Height} to {width}x{height}");
                }
                ToPlanar(new ReadOnlySpan<byte>(pixels, target.BytesSize), destination, channels, height * width);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(rgba); }
        return resize;
    }

    /// <summary>RGBA (H x W x 4) to planar C x H x W; one channel takes the luma of colour images.</summary>
    private static void ToPlanar(ReadOnlySpan<byte> rgba, Span<byte> destination, int channels, int plane)
    {
        if (channels == 3)
        {
            var r = destination[..plane];
            var g = destination.Slice(plane, plane);
            var b = destination.Slice(2 * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                r[i] = rgba[4 * i];
                g[i] = rgba[4 * i + 1];
                b[i] = rgba[4 * i + 2];
            }
        }
        else
        {
            // ITU-R BT.601 luma, as PIL's convert("L"): a grey image (R = G = B) keeps its values exactly.
            for (int i = 0; i < plane; i++)
                destination[i] = (byte)((299 * rgba[4 * i] + 587 * rgba[4 * i + 1] + 114 * rgba[4 * i + 2] + 500) / 1000);
        }
    }

    private static DataException NotAnImage(string name, string why) =>
        new($"{name}: not a decodable JPEG or PNG image ({why}); delete or replace the file");
}
