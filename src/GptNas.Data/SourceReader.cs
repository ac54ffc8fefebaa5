using GptNas.Data.Formats;

namespace GptNas.Data;

/// <summary>Recognises what a path holds (IDX, CIFAR binary, image folders, a .tar.gz of either) and reads it.</summary>
internal static class SourceReader
{
    /// <summary>The file or folder that identifies the data set: an IDX or .bin file stands for its folder.</summary>
    public static string Root(string path) =>
        File.Exists(path) && !TarGz.IsTarGz(path) ? Path.GetDirectoryName(Path.GetFullPath(path))! : Path.GetFullPath(path);

    /// <param name="classNames">Names for IDX labels (which carry none); null = digits.</param>
    public static DataSplits Read(string path, IReadOnlyList<string>? classNames, DataOptions options)
    {
        if (File.Exists(path))
        {
            if (TarGz.IsTarGz(path)) return ReadArchive(path, options);
            var name = Path.GetFileName(path);
            if (name.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) || name.Contains("-idx", StringComparison.Ordinal))
                return Read(Path.GetDirectoryName(Path.GetFullPath(path))!, classNames, options);
            throw new DataException($"'{path}': not a data file gptnas reads; give a folder with IDX, CIFAR binary or <split>/<class>/ images, " +
                                    "or a .tar.gz of one");
        }
        options.Log?.Invoke($"decoding {path}");
        if (IdxFormat.IsIdxFolder(path)) return IdxFormat.Load(path, classNames);
        if (CifarFormat.FindBinFolder(path) is not null) return CifarFormat.Load(path);
        if (ImageFolderFormat.FindRoot(path) is not null) return ImageFolderFormat.Load(path, options);
        throw new DataException($"'{path}' holds no data set gptnas reads: expected IDX files ({IdxFormat.TrainImages}[.gz], ...), " +
                                $"CIFAR binary ({CifarFormat.Cifar10Train[0]} ... or {CifarFormat.Cifar100Train}, {CifarFormat.Cifar100Test}) " +
                                "or <root>/train/<class>/*.jpg|jpeg|png image folders");
    }

    private static DataSplits ReadArchive(string path, DataOptions options)
    {
        options.Log?.Invoke($"decoding {path}");
        var members = TarGz.Read(path, name => ImageFolderFormat.IsImageFile(name) ||
                                               name.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) ||
                                               name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase));
        var files = members.Where(m => !m.IsDirectory).ToList();
        if (CifarFormat.Detect(files.Select(m => m.Name)) is { } kind)
        {
            // The official CIFAR archive given as a path: read its .bin members from memory.
            var byName = files.GroupBy(m => Path.GetFileName(m.Name)).ToDictionary(g => g.Key, g => g.First().Data);
            return CifarFormat.Load(kind, name => byName.GetValueOrDefault(name), Path.GetFileName(path));
        }
        return ImageFolderFormat.Load(members, path, options);
    }
}
