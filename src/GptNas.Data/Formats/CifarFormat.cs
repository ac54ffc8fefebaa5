namespace GptNas.Data.Formats;

/// <summary>
/// The CIFAR binary releases (Krizhevsky 2009). CIFAR-10: <c>data_batch_1.bin</c> .. <c>data_batch_5.bin</c>
/// and <c>test_batch.bin</c>, records of 1 label byte + 3,072 pixel bytes. CIFAR-100: <c>train.bin</c> and
/// <c>test.bin</c>, records of a coarse and a fine label byte + 3,072 pixel bytes; the fine label (100
/// classes) is used. Pixels are 1,024 red, then green, then blue bytes: already C x H x W.
/// </summary>
public static class CifarFormat
{
    public const int Side = 32, Channels = 3, PixelBytes = Channels * Side * Side;

    /// <summary>The folders the official archives extract to.</summary>
    public const string Cifar10Folder = "cifar-10-batches-bin", Cifar100Folder = "cifar-100-binary";

    public static readonly string[] Cifar10Train = Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray();
    public const string Cifar10Test = "test_batch.bin", Cifar100Train = "train.bin", Cifar100Test = "test.bin";

    // Used when batches.meta.txt is absent: the official label order.
    private static readonly string[] Cifar10Names =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>Which release a folder (or archive listing) holds, judged by its file names; null = neither.</summary>
    public static CifarKind? Detect(IEnumerable<string> fileNames)
    {
        var names = fileNames.Select(Path.GetFileName).ToHashSet();
        if (names.Contains(Cifar10Train[0]) || names.Contains(Cifar10Test)) return CifarKind.Cifar10;
        if (names.Contains(Cifar100Train) && names.Contains(Cifar100Test)) return CifarKind.Cifar100;
        return null;
    }

    /// <summary>The folder holding the .bin files: <paramref name="folder"/> itself or its official sub-folder.</summary>
    public static string? FindBinFolder(string folder)
    {
        foreach (var candidate in new[] { folder, Path.Combine(folder, Cifar10Folder), Path.Combine(folder, Cifar100Folder) })
            if (Directory.Exists(candidate) && Detect(Directory.EnumerateFiles(candidate)) is not null) return candidate;
        return null;
    }

    /// <summary>Reads a folder holding one release's .bin files (see <see cref="FindBinFolder"/>).</summary>
    public static DataSplits Load(string folder)
    {
        var binFolder = FindBinFolder(folder)
            ?? throw new DataException($"'{folder}' holds no CIFAR binary files; expected {string.Join(", ", Cifar10Train)}, {Cifar10Test} " +
                                       $"(CIFAR-10) or {Cifar100Train}, {Cifar100Test} (CIFAR-100), there or in {Cifar10Folder}/ or {Cifar100Folder}/");
        var kind = Detect(Directory.EnumerateFiles(binFolder))!.Value;
        return Load(kind, name =>
        {
            var path = Path.Combine(binFolder, name);
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }, binFolder);
    }

    /// <summary>Reads one release from files looked up by bare name (a folder, or an archive already in memory).</summary>
    public static DataSplits Load(CifarKind kind, Func<string, byte[]?> file, string source)
    {
        bool ten = kind == CifarKind.Cifar10;
        string[] trainFiles = ten ? Cifar10Train : [Cifar100Train];
        string testFile = ten ? Cifar10Test : Cifar100Test;
        string namesFile = ten ? "batches.meta.txt" : "fine_label_names.txt";
        var namesBytes = file(namesFile);
        var names = namesBytes is null ? null : System.Text.Encoding.UTF8.GetString(namesBytes)
            .Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0).ToArray();
        names ??= ten ? Cifar10Names : Enumerable.Range(0, 100).Select(c => c.ToString()).ToArray();

        var train = Read(trainFiles, kind, file, source, names, "train");
        var test = Read([testFile], kind, file, source, names, "test");
        return new DataSplits(train, null, test);
    }

    private static ImageDataset Read(string[] files, CifarKind kind, Func<string, byte[]?> file, string source,
        IReadOnlyList<string> names, string split)
    {
        int labelBytes = kind == CifarKind.Cifar10 ? 1 : 2;
        int record = labelBytes + PixelBytes;
        var contents = files.Select(name => (Name: name, Bytes: file(name) ?? throw Missing(kind, name, source))).ToArray();
        foreach (var (name, bytes) in contents)
            if (bytes.Length == 0 || bytes.Length % record != 0)
                throw new DataException($"{name}: length {bytes.Length} is not a multiple of the {Label(kind)} record size {record} " +
                                        $"({labelBytes} label byte{(labelBytes > 1 ? "s" : "")} + {PixelBytes} pixel bytes); " +
                                        "the file is truncated or not CIFAR binary, extract it again from the official archive");
        int count = contents.Sum(c => c.Bytes.Length / record);
        var pixels = new byte[(long)count * PixelBytes];
        var labels = new int[count];
        int at = 0;
        foreach (var (name, bytes) in contents)
            for (int r = 0; r < bytes.Length / record; r++, at++)
            {
                // CIFAR-100 records are (coarse, fine, pixels): the last label byte is the fine label.
                labels[at] = bytes[r * record + labelBytes - 1];
                if (labels[at] >= names.Count)
                    throw new DataException($"{name}: record {r} has label {labels[at]} but {Label(kind)} has {names.Count} classes; " +
                                            $"the file is damaged or belongs to the other CIFAR release");
                bytes.AsSpan(r * record + labelBytes, PixelBytes).CopyTo(pixels.AsSpan(at * PixelBytes));
            }
        return new ImageDataset(pixels, labels, names, Channels, Side, Side, $"{source} {split}");
    }

    private static string Label(CifarKind kind) => kind == CifarKind.Cifar10 ? "CIFAR-10" : "CIFAR-100";

    private static DataException Missing(CifarKind kind, string name, string source) =>
        new($"'{source}': {name} is missing; {Label(kind)} needs " +
            (kind == CifarKind.Cifar10 ? $"{string.Join(", ", Cifar10Train)} and {Cifar10Test}" : $"{Cifar100Train} and {Cifar100Test}") +
            " from the official binary archive in one folder");
}
