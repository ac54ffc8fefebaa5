using System.Buffers.Binary;
using System.IO.Compression;

namespace GptNas.Data.Formats;

/// <summary>
/// IDX files as MNIST and Fashion-MNIST ship them: <c>train-images-idx3-ubyte</c>,
/// <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>, each raw
/// or gzip (recognised by its content, not its name). Big-endian header, then one byte per pixel or label.
/// </summary>
public static class IdxFormat
{
    public const int ImagesMagic = 0x00000803; // unsigned bytes, 3 dimensions (N, rows, columns)
    public const int LabelsMagic = 0x00000801; // unsigned bytes, 1 dimension (N)

    /// <summary>The first file looked for; its presence makes a folder an IDX data set.</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    private static readonly string[] AllFiles =
        [TrainImages, "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    public static bool IsIdxFolder(string folder) => Find(folder, TrainImages) is not null;

    /// <summary>Reads the train and t10k (test) pairs of <paramref name="folder"/>.</summary>
    /// <param name="classNames">Names by label; null = the labels' digits ("0" .. "9").</param>
    public static DataSplits Load(string folder, IReadOnlyList<string>? classNames)
    {
        var paths = AllFiles.Select(name => Find(folder, name) ?? throw Missing(folder, name)).ToArray();
        var (trainPixels, trainShape) = ReadImages(paths[0]);
        var trainLabels = ReadLabels(paths[1]);
        var (testPixels, testShape) = ReadImages(paths[2]);
        var testLabels = ReadLabels(paths[3]);
        CheckPair(paths[0], trainShape.Count, paths[1], trainLabels.Length);
        CheckPair(paths[2], testShape.Count, paths[3], testLabels.Length);
        if (testShape.Height != trainShape.Height || testShape.Width != trainShape.Width)
            throw new DataException($"{Path.GetFileName(paths[2])}: images are {testShape.Height}x{testShape.Width} but the training images are " +
                                    $"{trainShape.Height}x{trainShape.Width}; the two files come from different data sets");
        var names = ClassNames(classNames, trainLabels, testLabels, paths, folder);
        var train = new ImageDataset(trainPixels, trainLabels, names, 1, trainShape.Height, trainShape.Width, $"{folder} train");
        var test = new ImageDataset(testPixels, testLabels, names, 1, testShape.Height, testShape.Width, $"{folder} test");
        return new DataSplits(train, null, test);
    }

    /// <summary>Pixels (N x rows x columns) and shape of one IDX image file.</summary>
    public static (byte[] Pixels, (int Count, int Height, int Width) Shape) ReadImages(string path)
    {
        string name = Path.GetFileName(path);
        using var stream = Open(path);
        Span<byte> header = stackalloc byte[16];
        // Magic first, so a label file given as images is named as such rather than "truncated".
        ReadHeader(stream, header[..4], name, "images");
        CheckMagic(BinaryPrimitives.ReadInt32BigEndian(header), ImagesMagic, "images", name);
        ReadHeader(stream, header[4..], name, "images", before: 4);
        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        int rows = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
        int columns = BinaryPrimitives.ReadInt32BigEndian(header[12..]);
        long bytes = (long)count * rows * columns;
        if (count < 1 || rows < 1 || columns < 1 || rows > 65536 || columns > 65536 || bytes > Array.MaxLength)
            throw new DataException($"{name}: implausible dimensions {count} x {rows} x {columns} in the header; the file is damaged, download it again");
        var pixels = new byte[bytes];
        int read = ReadFully(stream, pixels, name);
        // NOTE: no "use what is there" mode: where the missing images were is unknown, so the labels of
        // every image after them could be shifted by one, which would poison training without a trace.
        if (read < pixels.Length)
            throw new DataException($"{name}: truncated: the header promises {count} images of {rows}x{columns} ({bytes} bytes) but only {read} bytes " +
                                    $"({read / (rows * columns)} complete images) follow; the file is incomplete or damaged: download it again");
        return (pixels, (count, rows, columns));
    }

    /// <summary>The labels of one IDX label file.</summary>
    public static int[] ReadLabels(string path)
    {
        string name = Path.GetFileName(path);
        using var stream = Open(path);
        Span<byte> header = stackalloc byte[8];
        ReadHeader(stream, header, name, "labels");
        CheckMagic(BinaryPrimitives.ReadInt32BigEndian(header), LabelsMagic, "labels", name);
        int count = BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        if (count < 1)
            throw new DataException($"{name}: implausible label count {count} in the header; the file is damaged, download it again");
        var bytes = new byte[count];
        ReadBody(stream, bytes, name, $"{count} labels");
        return Array.ConvertAll(bytes, b => (int)b);
    }

    /// <summary>The file <paramref name="name"/> or <paramref name="name"/>.gz in <paramref name="folder"/>.</summary>
    internal static string? Find(string folder, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            var path = Path.Combine(folder, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static Stream Open(string path)
    {
        var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        // gzip is recognised by its two magic bytes, so a renamed or unrenamed file reads either way.
        bool gzip = read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        return gzip ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16) : file;
    }

    private static void ReadHeader(Stream stream, Span<byte> header, string name, string kind, int before = 0)
    {
        int read = ReadFully(stream, header, name);
        if (read < header.Length)
            throw new DataException($"{name}: truncated header ({before + read} of {before + header.Length} bytes) of an IDX {kind} file; the file is incomplete, download it again");
    }

    private static void ReadBody(Stream stream, Span<byte> body, string name, string what)
    {
        int read = ReadFully(stream, body, name);
        if (read < body.Length)
            throw new DataException($"{name}: truncated: the header promises {what} ({body.Length} bytes) but only {read} bytes follow; " +
                                    "the file is incomplete, download it again");
    }

    private static int ReadFully(Stream stream, Span<byte> buffer, string name)
    {
        try { return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false); }
        catch (InvalidDataException e)
        {
            throw new DataException($"{name}: damaged gzip data ({e.Message}); the file is corrupt, download it again", e);
        }
    }

    private static void CheckMagic(int magic, int expected, string kind, string name)
    {
        if (magic == expected) return;
        string hint = magic == (kind == "images" ? LabelsMagic : ImagesMagic)
            ? $"this is an IDX {(kind == "images" ? "labels" : "images")} file; are the file names swapped?"
            : "is this an IDX file?";
        throw new DataException($"{name}: wrong magic number 0x{magic:X8} (expected 0x{expected:X8} for IDX {kind}); {hint}");
    }

    private static void CheckPair(string images, int imageCount, string labels, int labelCount)
    {
        if (imageCount != labelCount)
            throw new DataException($"{Path.GetFileName(images)} holds {imageCount} images but {Path.GetFileName(labels)} holds {labelCount} labels; " +
                                    "the two files must come from the same release");
    }

    /// <summary>
    /// The classes the labels imply, checked: with names given, every label must be below their count; without,
    /// the training labels must use every class 0 .. max (a gap means a stray value, such as one label 200 among
    /// 0..9, which would otherwise make 201 classes), and the test labels must be among them.
    /// </summary>
    private static IReadOnlyList<string> ClassNames(IReadOnlyList<string>? given, int[] train, int[] test, string[] paths, string folder)
    {
        if (given is not null)
        {
            CheckBelow(train, given.Count, paths[1], $"the data set has {given.Count} classes");
            CheckBelow(test, given.Count, paths[3], $"the data set has {given.Count} classes");
            return given;
        }
        var used = new bool[256];
        foreach (var label in train) used[label] = true;
        var classes = Array.IndexOf(used, false) is var gap and >= 0 ? gap : used.Length;
        if (Array.FindIndex(train, l => l >= classes) is var at and >= 0)
            throw new DataException($"{Path.GetFileName(paths[1])}: label {train[at]} at position {at} (0-based) leaves a gap: labels 0..{classes - 1} are used, " +
                                    $"{classes} never is; the labels of '{folder}' must number the classes 0, 1, 2, ... without gaps");
        CheckBelow(test, classes, paths[3], $"the training labels name {classes} classes (0..{classes - 1})");
        return Enumerable.Range(0, classes).Select(c => c.ToString()).ToArray();
    }

    private static void CheckBelow(int[] labels, int classes, string path, string why)
    {
        if (Array.FindIndex(labels, l => l >= classes) is var at and >= 0)
            throw new DataException($"{Path.GetFileName(path)}: label {labels[at]} at position {at} (0-based) is out of range: {why}; " +
                                    "these are not the expected files, or load the folder by path instead of by name");
    }

    private static DataException Missing(string folder, string name) =>
        new($"'{folder}': {name}[.gz] is missing; an IDX data set needs {string.Join(", ", AllFiles)} (each raw or .gz) in one folder");
}
