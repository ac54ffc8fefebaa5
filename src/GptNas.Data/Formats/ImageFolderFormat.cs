namespace GptNas.Data.Formats;

/// <summary>
/// Images in class folders, the layout ImageNet uses: <c>&lt;root&gt;/&lt;split&gt;/&lt;class&gt;/*.jpg|jpeg|png</c>
/// with splits <c>train</c>, <c>test</c> and optionally <c>val</c>, either on disk or inside a .tar.gz.
/// Class ids are the class folder names of <c>train/</c> in ordinal order (CIFAR-10's folders
/// airplane .. truck so get the official ids 0 .. 9).
/// </summary>
/// <remarks>
/// Images of another size than the first training image are resized to it (bicubic): a data set in this
/// layout, ImageNet above all, rarely has one size, and a model needs one. Grey or colour follows the
/// first training image too. Without <c>test/</c>, <c>val/</c> is the test split (ImageNet ships only
/// train and val); with both, <c>val/</c> is the validation split.
/// </remarks>
public static class ImageFolderFormat
{
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png"];
    private static readonly string[] Splits = ["train", "test", "val"];

    public static bool IsImageFile(string name) =>
        Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary><paramref name="folder"/> if it holds <c>train/</c>, else its only sub-folder if that does; else null.</summary>
    public static string? FindRoot(string folder)
    {
        if (Directory.Exists(Path.Combine(folder, "train"))) return folder;
        var children = Visible(Directory.GetDirectories(folder));
        return children.Length == 1 && Directory.Exists(Path.Combine(children[0], "train")) ? children[0] : null;
    }

    /// <summary>Decodes every image under a folder (see <see cref="FindRoot"/>).</summary>
    public static DataSplits Load(string folder, DataOptions options)
    {
        var root = FindRoot(folder) ?? throw NoTrain($"'{folder}'");
        var splits = new Dictionary<string, SortedDictionary<string, List<ImageFile>>>();
        foreach (var split in Splits)
        {
            var splitFolder = Path.Combine(root, split);
            if (!Directory.Exists(splitFolder)) continue;
            var classes = splits[split] = new SortedDictionary<string, List<ImageFile>>(StringComparer.Ordinal);
            foreach (var classFolder in Visible(Directory.GetDirectories(splitFolder)))
                classes[Path.GetFileName(classFolder)] = Directory.EnumerateFiles(classFolder)
                    .Where(IsImageFile).Order(StringComparer.Ordinal)
                    .Select(path => new ImageFile(Path.GetRelativePath(root, path), path, null)).ToList();
        }
        return Decode(splits, $"'{root}'", root, options);
    }

    /// <summary>Decodes the image members of an archive already read into memory.</summary>
    internal static DataSplits Load(IReadOnlyList<TarMember> members, string archive, DataOptions options)
    {
        string prefix = Prefix(members, archive);
        var splits = new Dictionary<string, SortedDictionary<string, List<ImageFile>>>();
        foreach (var member in members)
        {
            if (!member.Name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var parts = member.Name[prefix.Length..].Split('/');
            if (!Splits.Contains(parts[0]) || parts.Length < 2 || parts[1].StartsWith('.')) continue;
            var classes = splits.TryGetValue(parts[0], out var found) ? found
                : splits[parts[0]] = new SortedDictionary<string, List<ImageFile>>(StringComparer.Ordinal);
            // Directory members register class folders, so an empty one is reported rather than missed.
            if (member.IsDirectory && parts.Length == 2) classes.TryAdd(parts[1], []);
            else if (!member.IsDirectory && parts.Length == 3 && IsImageFile(parts[2]))
                (classes.TryGetValue(parts[1], out var files) ? files : classes[parts[1]] = []).Add(new ImageFile(member.Name, null, member.Data));
        }
        foreach (var classes in splits.Values)
            foreach (var files in classes.Values) files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return Decode(splits, Path.GetFileName(archive), Path.GetFileName(archive), options);
    }

    /// <summary>The folder inside the archive that holds <c>train/</c>: "" or e.g. "cifar10/".</summary>
    private static string Prefix(IReadOnlyList<TarMember> members, string archive)
    {
        var prefixes = members.Where(m => !m.IsDirectory && IsImageFile(m.Name))
            .Select(m => m.Name.Split('/'))
            .Where(parts => parts.Length >= 3 && parts[^3] == "train")
            .Select(parts => string.Concat(parts[..^3].Select(p => p + "/")))
            .Distinct().ToArray();
        if (prefixes.Length == 0) throw NoTrain(Path.GetFileName(archive));
        if (prefixes.Length > 1)
            throw new DataException($"{Path.GetFileName(archive)}: holds train/ folders under several roots ({string.Join(", ", prefixes.Select(p => p.Length == 0 ? "/" : p))}); " +
                                    "pack one data set per archive");
        return prefixes[0];
    }

    private static DataSplits Decode(Dictionary<string, SortedDictionary<string, List<ImageFile>>> splits,
        string where, string source, DataOptions options)
    {
        if (!splits.TryGetValue("train", out var train) || train.Count == 0) throw NoTrain(where);
        splits.TryGetValue("test", out var test);
        splits.TryGetValue("val", out var val);
        if (test is null && val is null)
            throw new DataException($"{where}: has train/ but no test/ (or val/) split; add test/<class>/ images in the same layout");
        string testName = test is null ? "val" : "test";
        if (test is null) (test, val) = (val, null);
        foreach (var (split, classes) in splits)
        {
            if (classes.Count == 0)
                throw new DataException($"{where}: {split}/ has no class folders; expected {split}/<class>/*.jpg|jpeg|png");
            foreach (var (name, files) in classes)
            {
                if (files.Count == 0)
                    throw new DataException($"{where}: {split}/{name}/ has no .jpg, .jpeg or .png images; remove the empty class folder or add its images");
                if (!train.ContainsKey(name))
                    throw new DataException($"{where}: {split}/{name}/ is not a class of train/; every split must use the training classes");
            }
        }

        var classNames = train.Keys.ToArray();
        var first = train.Values.First()[0];
        var (channels, height, width) = ImageDecoder.Probe(first.Read(), first.Name);
        ImageDataset Split(SortedDictionary<string, List<ImageFile>> classes, string split) =>
            DecodeSplit(classes, classNames, channels, height, width, $"{source} {split}", options);
        return new DataSplits(Split(train, "train"), val is null ? null : Split(val, "val"), Split(test!, testName));
    }

    private static ImageDataset DecodeSplit(SortedDictionary<string, List<ImageFile>> classes, string[] classNames,
        int channels, int height, int width, string source, DataOptions options)
    {
        var files = classes.SelectMany(c => c.Value.Select(file => (File: file, Label: Array.IndexOf(classNames, c.Key)))).ToArray();
        int size = channels * height * width;
        if ((long)files.Length * size > Array.MaxLength)
            throw new DataException($"{source}: {files.Length} images of {channels}x{height}x{width} exceed the 2 GB a data set may hold in memory; use fewer or smaller images");
        var pixels = new byte[(long)files.Length * size];
        var labels = files.Select(f => f.Label).ToArray();
        int resized = 0;
        try
        {
            Parallel.For(0, files.Length, options.DecodeParallelism, i =>
            {
                var file = files[i].File;
                if (ImageDecoder.Decode(file.Read(), file.Name, pixels.AsSpan(i * size, size), channels, height, width))
                    Interlocked.Increment(ref resized);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is DataException or IOException) is { } inner)
        {
            throw inner as DataException ?? new DataException($"{source}: {inner.Message}; check the file's permissions and the disk", inner);
        }
        if (resized > 0) options.Log?.Invoke($"{source}: resized {resized} of {files.Length} images to {width}x{height}");
        string note = resized > 0 ? $" ({resized} resized to {width}x{height})" : "";
        return new ImageDataset(pixels, labels, classNames, channels, height, width, source + note);
    }

    private static string[] Visible(string[] folders) =>
        folders.Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).ToArray();

    private static DataException NoTrain(string where) =>
        new($"{where}: no train/<class>/ image folders found; expected <root>/train/<class>/*.jpg|jpeg|png and <root>/test/<class>/...");

    /// <summary>One image: on disk (Path) or already in memory (Bytes, from an archive).</summary>
    private sealed record ImageFile(string Name, string? Path, byte[]? Bytes)
    {
        public byte[] Read() => Bytes ?? File.ReadAllBytes(Path!);
    }
}
