using System.Diagnostics;

namespace GptNas.Tests;

/// <summary>
/// A small tmpfs mounted for one test (a full disk, a read-only file system). Needs root and the right to mount;
/// <see cref="TmpfsFactAttribute"/> skips a test, with the reason, where the machine does not allow it.
/// </summary>
internal sealed class Tmpfs : IDisposable
{
    public string Path { get; }

    public Tmpfs(string sizeKb)
    {
        Path = Directory.CreateTempSubdirectory("gptnas-tmpfs-").FullName;
        Mount("-t", "tmpfs", "-o", $"size={sizeKb}k", "tmpfs", Path);
    }

    public void MakeReadOnly() => Mount("-o", "remount,ro", Path);

    /// <summary>
    /// Writes a filler file until the disk is full (or <paramref name="limitKb"/> is written: a tmpfs that does not
    /// enforce its size); returns how much it wrote. Deleting <see cref="FillerFile"/> frees the space again.
    /// </summary>
    public long FillUp(long limitKb = 1 << 20)
    {
        var chunk = new byte[4096];
        long written = 0;
        using var filler = new FileStream(FillerFile, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1);
        try
        {
            while (written < limitKb * 1024)
            {
                filler.Write(chunk);
                written += chunk.Length;
            }
        }
        catch (IOException) { } // no space left
        return written;
    }

    public string FillerFile => System.IO.Path.Combine(Path, "filler");

    public void Dispose()
    {
        Run("umount", Path);
        Directory.Delete(Path);
    }

    private static void Mount(params string[] arguments)
    {
        var (code, error) = Run("mount", arguments);
        if (code != 0) throw new InvalidOperationException($"mount {string.Join(' ', arguments)}: {error}");
    }

    internal static (int Code, string Error) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error.Trim());
    }

    /// <summary>Why tmpfs tests cannot run here, or null where they can (root, and mount works).</summary>
    public static readonly Lazy<string?> Unavailable = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs needs Linux";
        if (Environment.UserName != "root") return "mounting a tmpfs needs root (CI runs as root)";
        try
        {
            using var probe = new Tmpfs("64");
            var written = probe.FillUp(limitKb: 256);
            return written > 64 * 1024 ? "this machine's tmpfs does not enforce its size" : null;
        }
        catch (Exception e) { return $"this machine does not allow mounting a tmpfs ({e.Message})"; }
    });
}

/// <summary>A fact that needs <see cref="Tmpfs"/>; skipped, with the reason, where it cannot mount one.</summary>
internal sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.Unavailable.Value is { } reason) Skip = reason;
    }
}
