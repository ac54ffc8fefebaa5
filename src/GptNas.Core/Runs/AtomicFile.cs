namespace GptNas.Runs;

/// <summary>
/// Files written beside their place and renamed over it: a crash leaves the old file or the new one, and a failed
/// write (a full disk) the old one and no half-written file.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// A temporary name beside <paramref name="file"/> that no other writer uses: workers that join one study write
    /// the same run files at the same time, and a shared name would let one rename the other's half-written file.
    /// </summary>
    public static string TemporaryBeside(string file) => $"{file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";

    /// <summary>Lets <paramref name="write"/> fill a temporary file beside <paramref name="file"/>, then renames it over.</summary>
    public static void Write(string file, Action<string> write)
    {
        var temporary = TemporaryBeside(file);
        try
        {
            write(temporary);
            File.Move(temporary, file, overwrite: true);
        }
        catch
        {
            TryDelete(temporary); // a failed clean-up must not hide why the write failed
            throw;
        }
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public static void WriteText(string file, string text) => Write(file, temporary => File.WriteAllText(temporary, text));
}
