using GptNas.Trials;

namespace GptNas.Storage;

/// <summary>
/// The study of one <c>gptnas search</c> run, for the commands that read it back (trials, report): in the run
/// folder's <c>study.db</c>, or in the store the search was given with <c>--storage</c>, where the study carries
/// the run folder's name.
/// </summary>
public sealed class RunStudy : IDisposable
{
    public ITrialStore Store { get; }
    public StudyRecord Study { get; }

    private RunStudy(ITrialStore store, StudyRecord study) => (Store, Study) = (store, study);

    public static string StudyName(string folder) => Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/'));

    /// <param name="storage">As <c>gptnas search --storage</c>: null for the folder's own study.db.</param>
    public static RunStudy Open(string folder, string? storage = null)
    {
        var name = StudyName(folder);
        var ownDatabase = string.IsNullOrWhiteSpace(storage);
        var database = Path.Combine(folder, "study.db");
        if (ownDatabase && !File.Exists(database))
            throw new GptNasException($"'{folder}' holds no study.db; give the folder of a 'gptnas search' run, and --storage if it searched with one");
        var store = TrialStores.Open(storage, database);
        try
        {
            // A folder's own study.db holds its one study, whatever the folder has been renamed to since.
            var study = store.FindStudy(name) ?? (ownDatabase ? store.Studies().FirstOrDefault() : null)
                        ?? throw new GptNasException(ownDatabase
                            ? $"'{database}' holds no study yet; start the search first"
                            : $"the store holds no study named '{name}' (the run folder's name); it holds: {string.Join(", ", store.Studies().Select(s => s.Name).DefaultIfEmpty("none").Take(10))}");
            return new RunStudy(store, study);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public IReadOnlyList<TrialRecord> Trials() => Store.Trials(Study.Id);

    public void Dispose() => Store.Dispose();
}
