using System.IO.Compression;

namespace GptNas.Tests;

/// <summary>
/// A small learnable IDX data set written by tests: 12x12 grey images whose class is the position of a bright
/// square, plus noise. Trains to high accuracy in a second, so whole searches fit in a test.
/// </summary>
internal static class TinyData
{
    public const int Side = 12, Classes = 4;

    public static void Write(string folder, int train = 240, int test = 80, int seed = 0)
    {
        var random = new Random(seed);
        foreach (var (split, count) in new[] { ("train", train), ("t10k", test) })
        {
            var images = new byte[count * Side * Side];
            var labels = new byte[count];
            for (var i = 0; i < count; i++)
            {
                var label = i % Classes;
                labels[i] = (byte)label;
                var (top, left) = (label / 2 * 6 + random.Next(2), label % 2 * 6 + random.Next(2));
                for (var p = 0; p < Side * Side; p++) images[i * Side * Side + p] = (byte)random.Next(60);
                for (var y = 0; y < 4; y++)
                    for (var x = 0; x < 4; x++) images[i * Side * Side + (top + y) * Side + left + x] = (byte)(200 + random.Next(55));
            }
            File.WriteAllBytes(Path.Combine(folder, $"{split}-images-idx3-ubyte.gz"), Gzip([.. Header(0x803, count), .. BigEndian(Side), .. BigEndian(Side), .. images]));
            File.WriteAllBytes(Path.Combine(folder, $"{split}-labels-idx1-ubyte.gz"), Gzip([.. Header(0x801, count), .. labels]));
        }
    }

    private static byte[] Header(int magic, int count) => [.. BigEndian(magic), .. BigEndian(count)];
    private static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    internal static byte[] Gzip(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest)) gzip.Write(data);
        return memory.ToArray();
    }

    internal static byte[] Gunzip(byte[] data)
    {
        using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }
}
