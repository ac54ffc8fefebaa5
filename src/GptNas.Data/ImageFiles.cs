using GptNas.Data.Formats;

namespace GptNas.Data;

/// <summary>
/// Single image files for prediction, decoded as the image-folder loader decodes training images: resized to the
/// model's size (Mitchell cubic) and converted to its channel count (colour to grey by BT.601 luma, grey to three
/// equal channels), each change reported as a note.
/// </summary>
public static class ImageFiles
{
    /// <summary>The image files named: files as given, folders searched recursively for JPEG and PNG files, in ordinal order.</summary>
    /// <exception cref="DataException">A path does not exist, or no image was found.</exception>
    public static IReadOnlyList<string> Find(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path)) files.Add(path);
            else if (Directory.Exists(path))
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(ImageFolderFormat.IsImageFile)
                    .Order(StringComparer.Ordinal));
            else throw new DataException($"image path '{path}' does not exist");
        }
        return files.Count > 0 ? files : throw new DataException("no JPEG or PNG image found in the paths given");
    }

    /// <summary>The image as C x H x W bytes, and what was changed to get there (null when nothing was).</summary>
    /// <exception cref="DataException">The file cannot be read or decoded; the message names it.</exception>
    public static (byte[] Pixels, string? Note) Decode(string file, int channels, int height, int width)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new DataException($"{file}: cannot be read ({e.Message})"); }
        var (sourceChannels, sourceHeight, sourceWidth) = ImageDecoder.Probe(bytes, file);
        var pixels = new byte[channels * height * width];
        ImageDecoder.Decode(bytes, file, pixels, channels, height, width);
        var notes = new List<string>();
        if (sourceChannels != channels) notes.Add(channels == 1 ? "colour converted to grey" : "grey converted to colour");
        if (sourceHeight != height || sourceWidth != width) notes.Add($"resized from {sourceWidth}x{sourceHeight} to {width}x{height}");
        return (pixels, notes.Count == 0 ? null : string.Join("; ", notes));
    }
}
