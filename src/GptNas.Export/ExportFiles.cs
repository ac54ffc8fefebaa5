namespace GptNas.Export;

/// <summary>Export outputs are written beside their place and renamed over it, so a failed export damages nothing.</summary>
public static class ExportFiles
{
    /// <exception cref="GptNasException">The path cannot be written (no such folder, no permission, a folder in the way).</exception>
    public static void WriteAtomically(string path, Action<string> write)
    {
        try
        {
            if (Directory.Exists(path)) throw new IOException("it is a folder");
            Runs.AtomicFile.Write(path, write);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GptNasException($"cannot write '{path}': {e.Message}", e);
        }
    }
}
