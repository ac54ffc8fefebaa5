using GptNas.Data.Caching;
using GptNas.Data.Formats;

namespace GptNas.Data;

/// <summary>
/// The one entry point a trainer needs: a data set by name or path, decoded once and cached, with its
/// train / validation / test splits.
/// </summary>
public static class DataCatalog
{
    /// <summary>The data set used when none is given: 6,000 / 1,000 Fashion-MNIST images shipped in the repository.</summary>
    public const string DefaultName = "fashion-mnist-small";

    public static readonly IReadOnlyList<string> Names = [DefaultName, "fashion-mnist", "mnist", "cifar10", "cifar100"];

    public static readonly IReadOnlyList<string> FashionMnistClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly string[] IdxFiles =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    /// <summary>
    /// Loads <paramref name="nameOrPath"/>: one of <see cref="Names"/>, or a file or folder holding IDX files,
    /// CIFAR binary files, <c>&lt;split&gt;/&lt;class&gt;/</c> images, or a .tar.gz of those.
    /// </summary>
    public static DataSplits Load(string nameOrPath, DataOptions? options = null)
    {
        options ??= new DataOptions();
        if (options.ValidationFraction is < 0 or >= 1 || double.IsNaN(options.ValidationFraction))
            throw new DataException($"validation fraction {options.ValidationFraction} is outside [0, 1); use e.g. 0.1, or 0 for none");
        var (path, classNames) = Resolve(nameOrPath, options);
        var root = SourceReader.Root(path);
        DataSplits Build() => SourceReader.Read(path, classNames, options);
        var splits = options.UseCache
            ? new DatasetCache(options.CacheDirectory, options.Log).GetOrCreate(root, string.Join(",", classNames ?? []), Build)
            : Build();
        if (splits.Validation is not null || options.ValidationFraction == 0) return splits;
        var (train, validation) = ValidationSplit.Split(splits.Train, options.ValidationFraction, options.SplitSeed);
        return new DataSplits(train, validation, splits.Test);
    }

    /// <summary>The embedded default's folder: next to the executable, else in a parent's data/ folder.</summary>
    public static string EmbeddedFolder()
    {
        var relative = Path.Combine("data", DefaultName);
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (IdxFormat.IsIdxFolder(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        throw new DataException($"the embedded data set is missing from '{Path.Combine(AppContext.BaseDirectory, relative)}'; " +
                                "rebuild (GptNas.Data copies data/fashion-mnist-small/ to the output) or run data/make-fashion-mnist-small.py");
    }

    private static (string Path, IReadOnlyList<string>? ClassNames) Resolve(string nameOrPath, DataOptions options)
    {
        switch (nameOrPath.Trim().ToLowerInvariant())
        {
            case DefaultName: return (EmbeddedFolder(), FashionMnistClasses);
            case "fashion-mnist": return (Named("fashion-mnist", "Fashion-MNIST", "https://github.com/zalandoresearch/fashion-mnist", options), FashionMnistClasses);
            case "mnist": return (Named("mnist", "MNIST", "https://yann.lecun.com/exdb/mnist/", options), null);
            case "cifar10": return (CifarDownload.Ensure(CifarKind.Cifar10, options), null);
            case "cifar100": return (CifarDownload.Ensure(CifarKind.Cifar100, options), null);
        }
        if (File.Exists(nameOrPath) || Directory.Exists(nameOrPath)) return (nameOrPath, null);
        throw new DataException($"data path '{nameOrPath}' does not exist; give a folder with IDX, CIFAR binary or <split>/<class>/ images " +
                                $"(or a .tar.gz of one), or one of the names {string.Join(", ", Names)}");
    }

    private static string Named(string folderName, string title, string origin, DataOptions options)
    {
        var folder = Path.Combine(options.DataRoot, folderName);
        if (IdxFormat.IsIdxFolder(folder)) return folder;
        throw new DataException($"{title} is not in '{folder}'; place {string.Join(", ", IdxFiles)} there (from {origin}), " +
                                $"set GPTNAS_DATA to a data root that holds a {folderName}/ folder, or give the files' folder as a path");
    }
}
