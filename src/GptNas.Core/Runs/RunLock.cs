namespace GptNas.Runs;

/// <summary>
/// A run folder held by one process: <c>run.lock</c> opened with an OS file lock (flock on Linux), so the lock of a
/// process that died goes with it and is never stale. A lone search or training holds it exclusively; workers
/// that join one study (<c>--join</c>) hold it shared, so they run together but never beside a lone one.
/// Who holds it is written to <c>run.owner</c> (the lock file itself cannot be read while held).
/// </summary>
public sealed class RunLock : IDisposable
{
    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the folder's lock, or throws one line naming the process that holds it and the way out.</summary>
    /// <param name="what">The command, for the holder's description (<c>gptnas search</c>).</param>
    public static RunLock Acquire(RunFolder folder, string what, bool shared)
    {
        FileStream stream;
        try
        {
            // .NET takes flock(LOCK_EX) for FileShare.None and flock(LOCK_SH) otherwise, both non-blocking.
            stream = new FileStream(folder.LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, shared ? FileShare.ReadWrite : FileShare.None);
        }
        catch (IOException e) when (IsHeldByAnother(e))
        {
            var owner = File.Exists(folder.LockOwnerFile) ? File.ReadAllText(folder.LockOwnerFile).Trim() : "another process";
            throw new GptNasException($"'{folder}' is in use by {owner}; wait for it to end, or give --join to every search that should " +
                                      "work on this study together");
        }
        if (!shared || !File.Exists(folder.LockOwnerFile))
            AtomicFile.WriteText(folder.LockOwnerFile, $"{what} (pid {Environment.ProcessId} on {Environment.MachineName}, since {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss}{(shared ? ", with --join" : "")})\n");
        return new RunLock(stream);
    }

    /// <summary>The lock is taken (EWOULDBLOCK from flock), as opposed to a file system that refuses the file.</summary>
    private static bool IsHeldByAnother(IOException e) =>
        e.HResult == WouldBlockErrno || e.Message.Contains("being used by another process", StringComparison.Ordinal);

    private const int WouldBlockErrno = 11; // EAGAIN / EWOULDBLOCK

    public void Dispose() => _stream.Dispose();
}
