namespace GptNas.Cli.Commands;

/// <summary>Reports on the calling thread, in order (System.Progress would post to the thread pool and reorder).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
