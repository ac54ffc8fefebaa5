using System.Security.Cryptography;
using GptNas.Data.Formats;

namespace GptNas.Data;

/// <summary>
/// Puts the official CIFAR binary release into <c>&lt;data root&gt;/cifar10</c> or <c>/cifar100</c>: uses
/// the extracted files if there, else an archive placed there by hand, else downloads the archive from
/// the dataset authors' site. The archive's MD5 is checked against the one published on that site.
/// </summary>
internal static class CifarDownload
{
    private sealed record Release(string Folder, string Archive, string Md5, string BinFolder, string[] Files);

    // MD5s as published on https://www.cs.toronto.edu/~kriz/cifar.html.
    private static readonly Release Ten = new("cifar10", "cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530",
        CifarFormat.Cifar10Folder, [.. CifarFormat.Cifar10Train, CifarFormat.Cifar10Test, "batches.meta.txt"]);
    private static readonly Release Hundred = new("cifar100", "cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8",
        CifarFormat.Cifar100Folder, [CifarFormat.Cifar100Train, CifarFormat.Cifar100Test, "fine_label_names.txt", "coarse_label_names.txt"]);

    /// <summary>The folder that holds the release's .bin files, downloading and extracting them if needed.</summary>
    public static string Ensure(CifarKind kind, DataOptions options)
    {
        var release = kind == CifarKind.Cifar10 ? Ten : Hundred;
        var folder = Path.Combine(options.DataRoot, release.Folder);
        if (Directory.Exists(folder) && CifarFormat.FindBinFolder(folder) is { } found) return found;

        var archive = Path.Combine(folder, release.Archive);
        bool downloaded = false;
        if (!File.Exists(archive))
        {
            if (!options.AllowDownload) throw Unavailable(release, folder, options, "downloads are turned off");
            Download(release, folder, archive, options);
            downloaded = true;
        }
        Verify(release, archive, downloaded);
        Extract(release, archive, Path.Combine(folder, release.BinFolder), options);
        if (downloaded) File.Delete(archive); // the extracted files are all that is read from now on
        return Path.Combine(folder, release.BinFolder);
    }

    private static void Download(Release release, string folder, string archive, DataOptions options)
    {
        var url = options.DownloadBaseUrl.TrimEnd('/') + "/" + release.Archive;
        var temp = $"{archive}.{Environment.ProcessId}.part";
        options.Log?.Invoke($"downloading {url} to {folder}");
        try
        {
            Directory.CreateDirectory(folder);
            using var client = new HttpClient { Timeout = options.DownloadTimeout };
            using var response = client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
            response.EnsureSuccessStatusCode();
            using (var body = response.Content.ReadAsStream())
            using (var file = File.Create(temp))
                body.CopyTo(file, 1 << 20);
            File.Move(temp, archive, overwrite: true);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            if (File.Exists(temp)) File.Delete(temp);
            throw Unavailable(release, folder, options, $"could not download {url}: {e.Message}");
        }
    }

    private static void Verify(Release release, string archive, bool downloaded)
    {
        string md5;
        using (var stream = File.OpenRead(archive)) md5 = Convert.ToHexStringLower(MD5.HashData(stream));
        if (md5 == release.Md5) return;
        if (downloaded) File.Delete(archive);
        throw new DataException($"{archive}: MD5 {md5} differs from the published {release.Md5}; the archive is incomplete or altered, " +
                                (downloaded ? "it was deleted: run again to download it afresh" : "delete it and run again to download it, or place an intact copy there"));
    }

    private static void Extract(Release release, string archive, string target, DataOptions options)
    {
        options.Log?.Invoke($"extracting {release.Archive} to {target}");
        Directory.CreateDirectory(target);
        // Only the release's known files, by bare name: nothing in the archive chooses where we write.
        foreach (var member in TarGz.Read(archive, name => release.Files.Contains(Path.GetFileName(name))))
        {
            if (member.IsDirectory || member.Data is null) continue;
            var path = Path.Combine(target, Path.GetFileName(member.Name));
            Runs.AtomicFile.Write(path, temporary => File.WriteAllBytes(temporary, member.Data));
        }
    }

    private static DataException Unavailable(Release release, string folder, DataOptions options, string why) =>
        new($"{(release == Ten ? "CIFAR-10" : "CIFAR-100")} is not in '{folder}' and {why}; place " +
            $"{string.Join(", ", release.Files.Where(f => f.EndsWith(".bin")))} in '{Path.Combine(folder, release.BinFolder)}', " +
            $"or the archive {release.Archive} (from {options.DownloadBaseUrl.TrimEnd('/')}/{release.Archive}) in '{folder}', " +
            "or set GPTNAS_DATA to a data root that has them");
}
