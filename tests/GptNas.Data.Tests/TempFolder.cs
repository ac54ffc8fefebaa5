using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using SkiaSharp;

namespace GptNas.Data.Tests;

/// <summary>A temporary folder deleted after the test, with writers for the file formats under test.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("gptnas-data-").FullName;

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Options that touch only this folder: its cache/ and data/ sub-folders, no downloads.</summary>
    public DataOptions Options(double validation = 0) => new()
    {
        CacheDirectory = this["cache"], DataRoot = this["data"], ValidationFraction = validation, AllowDownload = false,
    };

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }

    public static byte[] IdxImages(int count, int rows, int columns, Func<int, byte> pixel)
    {
        var bytes = new byte[16 + count * rows * columns];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), columns);
        for (int i = 16; i < bytes.Length; i++) bytes[i] = pixel(i - 16);
        return bytes;
    }

    public static byte[] IdxLabels(params byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest)) gzip.Write(raw);
        return memory.ToArray();
    }

    /// <summary>Writes a file (creating its folders) and returns its path.</summary>
    public string Write(string relative, byte[] bytes)
    {
        var path = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A PNG of the given size whose every pixel is (r, g, b) except pixel (0, 0), which is (x, 0, 0).</summary>
    public string WritePng(string relative, int width, int height, byte r, byte g, byte b, byte corner = 0)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(new SKColor(r, g, b));
        bitmap.SetPixel(0, 0, new SKColor(corner, 0, 0));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return Write(relative, data.ToArray());
    }

    /// <summary>Packs the sub-folder <paramref name="folder"/> into a .tar.gz (without the folder itself).</summary>
    public string TarGz(string folder, string archiveName)
    {
        var path = this[archiveName];
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        TarFile.CreateFromDirectory(this[folder], gzip, includeBaseDirectory: false);
        return path;
    }
}
