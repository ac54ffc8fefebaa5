using GptNas.Reports;
using GptNas.Storage;
using GptNas.Training;
using GptNas.Trials;

namespace GptNas.Runs;

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

    /// <param name="storage">As <c>gptnas search --storage</c>: null for the folder's own study.db. A folder that holds a
    /// study.db and has no study in <paramref name="storage"/> is read from its own, so one report can mix both.</param>
    public static RunStudy Open(RunFolder folder, string? storage = null)
    {
        var name = folder.Name;
        var database = folder.StudyDatabase;
        if (!string.IsNullOrWhiteSpace(storage))
        {
            // Reading must not create: a mistyped SQLite path would otherwise leave an empty store behind.
            if (!TrialStores.IsPostgres(storage) && !File.Exists(storage))
                throw new GptNasException($"no study store at '{storage}'; give the --storage the search was given");
            var store = TrialStores.Open(storage, database);
            string held;
            try
            {
                if (folder.FindStudy(store, ownStore: false) is { } study) return new RunStudy(store, study);
                held = string.Join(", ", store.Studies().Select(s => s.Name).DefaultIfEmpty("none").Take(10));
            }
            catch
            {
                store.Dispose();
                throw;
            }
            store.Dispose();
            if (!File.Exists(database))
                throw new GptNasException($"the store holds no study named '{name}' (the run folder's name), and '{folder}' holds no {Path.GetFileName(database)}; the store holds: {held}");
        }
        else if (!File.Exists(database))
            throw new GptNasException($"'{folder}' holds no {Path.GetFileName(database)}; give the folder of a 'gptnas search' run, and --storage if it searched with one");
        var own = new SqliteTrialStore(database);
        // A folder's own study.db holds its one study, whatever the folder has been renamed to since.
        if ((folder.FindStudy(own, ownStore: true) ?? own.Studies().FirstOrDefault()) is { } ownStudy) return new RunStudy(own, ownStudy);
        own.Dispose();
        throw new GptNasException($"'{database}' holds no study yet; start the search first");
    }

    public IReadOnlyList<TrialRecord> Trials() => Store.Trials(Study.Id);

    /// <summary>The search's final training, or null before it has finished.</summary>
    public TrainedModel? Final() => RunFolder.ReadFinal(Store, Study.Id);

    /// <summary>A finished or running search as a report sees it.</summary>
    public static RunSummary Summary(RunFolder folder, string? storage = null)
    {
        using var run = Open(folder, storage);
        return RunSummary.Of(folder, run.Study, run.Trials(), run.Final());
    }

    public void Dispose() => Store.Dispose();
}
