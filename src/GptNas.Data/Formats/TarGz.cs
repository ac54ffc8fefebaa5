using System.Formats.Tar;
using System.IO.Compression;

namespace GptNas.Data.Formats;

/// <summary>One member of a .tar.gz archive, held in memory. Name uses '/' and has no leading "./".</summary>
internal sealed record TarMember(string Name, bool IsDirectory, byte[]? Data);

/// <summary>Reads .tar.gz archives in one streaming pass, without extracting to disk.</summary>
internal static class TarGz
{
    public static bool IsTarGz(string path) =>
        path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every directory and every regular file whose name <paramref name="keep"/> accepts (others are skipped unread).</summary>
    public static List<TarMember> Read(string path, Func<string, bool> keep)
    {
        var members = new List<TarMember>();
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            while (reader.GetNextEntry() is { } entry)
            {
                var name = Normalize(entry.Name);
                if (name.Length == 0) continue;
                if (entry.EntryType == TarEntryType.Directory)
                    members.Add(new TarMember(name.TrimEnd('/'), true, null));
                else if ((entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile) && keep(name))
                {
                    var data = new byte[entry.Length];
                    entry.DataStream?.ReadExactly(data);
                    members.Add(new TarMember(name, false, data));
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new DataException($"{Path.GetFileName(path)}: not a readable .tar.gz archive ({e.Message}); " +
                                    "the file is truncated or corrupt, download or create it again", e);
        }
        return members;
    }

    /// <summary>Strips "./" and leading slashes; rejects ".." so no member can point outside its archive.</summary>
    public static string Normalize(string name)
    {
        name = name.Replace('\\', '/');
        while (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        name = name.TrimStart('/');
        return name.Split('/').Contains("..") ? "" : name;
    }
}
