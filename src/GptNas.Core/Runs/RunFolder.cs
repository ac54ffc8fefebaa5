using GptNas.Architectures;
using GptNas.Config;
using GptNas.Training;
using GptNas.Trials;

namespace GptNas.Runs;

/// <summary>What a search's <c>config.json</c> holds: the data set it ran on and its resolved config.</summary>
public sealed record SearchRunConfig(string Data, SearchConfig Config);

/// <summary>What a run folder's <c>run.json</c> holds: the id that names the run wherever the folder is moved or copied.</summary>
public sealed record RunIdentity(string Id);

/// <summary>What a training's <c>config.json</c> holds: the architecture and data as given, the validation share and the recipe.</summary>
public sealed record TrainingRunConfig(string Arch, string Data, double Validation, TrainingConfig Config);

/// <summary>
/// The one place that knows a run folder's files: a search's (config, study, best architecture, weights, report)
/// and a training's (config, architecture, metrics, weights, checkpoint). Files are written atomically: a crash
/// leaves the old file or the new one, never half of one.
/// </summary>
public sealed class RunFolder(string path)
{
    /// <summary>The study attribute that holds a search's final training, as a <see cref="TrainedModel"/>.</summary>
    public const string FinalAttribute = "final";

    /// <summary>The study attribute that holds the id of the run folder the study belongs to (<see cref="RunIdentity"/>).</summary>
    public const string RunIdAttribute = "run_id";
    /// <summary>The study attribute that holds the thread count its first process trained with.</summary>
    public const string ThreadsAttribute = "threads";

    public string Path { get; } = path;

    /// <summary>The folder's name: a search's study is named after it in a shared store.</summary>
    public string Name => System.IO.Path.GetFileName(System.IO.Path.GetFullPath(Path).TrimEnd(System.IO.Path.DirectorySeparatorChar));

    public string ConfigFile => File("config.json");
    /// <summary>The search's own SQLite study store (unless it was given <c>--storage</c>).</summary>
    public string StudyDatabase => File("study.db");
    public string BestArchitectureFile => File("best.arch");
    /// <summary>The trained network's weights (TorchSharp format).</summary>
    public string WeightsFile => File("model.bin");
    /// <summary>A training's weights after its last finished epoch, while it runs.</summary>
    public string CheckpointFile => File("checkpoint.bin");
    /// <summary>The architecture a training trained.</summary>
    public string ArchitectureFile => File("architecture.txt");
    /// <summary>A training's result, a <see cref="TrainedModel"/>.</summary>
    public string MetricsFile => File("metrics.json");
    public string ReportFolder => File("report");
    /// <summary>What the trained model expects of an image and what its outputs mean, a <see cref="ModelInput"/>.</summary>
    public string ModelInputFile => File("input.json");
    /// <summary>Where <c>gptnas export --format onnx</c> writes by default.</summary>
    public string OnnxFile => File("model.onnx");
    /// <summary>Where <c>gptnas export --format pytorch</c> writes by default: a state dict and a Python module.</summary>
    public string PyTorchFolder => File("pytorch");
    /// <summary><c>gptnas evaluate</c>'s per-class confusion matrix.</summary>
    public string ConfusionMatrixFile => System.IO.Path.Combine(ReportFolder, "confusion.png");
    /// <summary><c>gptnas evaluate</c>'s numbers.</summary>
    public string EvaluationFile => System.IO.Path.Combine(ReportFolder, "evaluation.json");

    /// <summary>
    /// The architecture of the trained model: a training's <c>architecture.txt</c>, else a search's <c>best.arch</c>;
    /// null when the folder has neither.
    /// </summary>
    public string? TrainedArchitectureFile =>
        System.IO.File.Exists(ArchitectureFile) ? ArchitectureFile : System.IO.File.Exists(BestArchitectureFile) ? BestArchitectureFile : null;

    /// <summary>The run's identity (<see cref="RunIdentity"/>), written once.</summary>
    public string IdentityFile => File("run.json");
    /// <summary>Held with an OS lock while a command works in the folder (<see cref="RunLock"/>).</summary>
    public string LockFile => File("run.lock");
    /// <summary>Who holds <see cref="LockFile"/>, for the message that refuses a second process.</summary>
    public string LockOwnerFile => File("run.owner");

    /// <summary>The files a run's results are: what <c>--overwrite</c> removes (the identity and lock stay).</summary>
    private IEnumerable<string> ResultFiles =>
    [
        ConfigFile, StudyDatabase, StudyDatabase + "-wal", StudyDatabase + "-shm", BestArchitectureFile, WeightsFile, CheckpointFile,
        ArchitectureFile, MetricsFile,
    ];

    public bool HasStudyDatabase => System.IO.File.Exists(StudyDatabase);
    public bool HasWeights => System.IO.File.Exists(WeightsFile);

    public bool Exists => Directory.Exists(Path);

    /// <summary>
    /// Throws one line unless the folder exists or can be created: every ancestor that exists is a folder, and the
    /// nearest is writable. Checked before data is loaded, so a bad <c>--out</c> costs nothing.
    /// </summary>
    public void CheckCanCreate()
    {
        var full = System.IO.Path.GetFullPath(Path);
        if (System.IO.File.Exists(full)) throw new GptNasException($"--out '{Path}' is a file; give a folder");
        var existing = full;
        while (!Directory.Exists(existing))
        {
            var parent = System.IO.Path.GetDirectoryName(existing);
            if (parent is null) break;
            if (System.IO.File.Exists(parent)) throw new GptNasException($"--out '{Path}' cannot be created: '{parent}' is a file; give a folder elsewhere");
            existing = parent;
        }
        if (Directory.Exists(full)) return;
        if (!IsWritable(existing)) throw new GptNasException($"--out '{Path}' cannot be created: '{existing}' is not writable; give a folder elsewhere");
    }

    private static bool IsWritable(string folder)
    {
        var probe = System.IO.Path.Combine(folder, $".gptnas-probe-{Environment.ProcessId}");
        try
        {
            using (System.IO.File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    public void Create()
    {
        try { Directory.CreateDirectory(Path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GptNasException($"--out '{Path}' cannot be created ({e.Message}); give a folder elsewhere", e);
        }
    }

    /// <summary>The run's identity, or null where the folder has none yet (a new run, or one written before run ids).</summary>
    public RunIdentity? ReadIdentity() =>
        System.IO.File.Exists(IdentityFile) ? GptNasJson.Deserialize<RunIdentity>(System.IO.File.ReadAllText(IdentityFile), IdentityFile) : null;

    /// <summary>Writes <paramref name="identity"/> unless the folder holds the same one already.</summary>
    public void WriteIdentity(RunIdentity identity)
    {
        if (ReadIdentity() != identity) AtomicFile.WriteText(IdentityFile, GptNasJson.Serialize(identity));
    }

    /// <summary>A new run id.</summary>
    public static RunIdentity NewIdentity() => new(Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Whether the folder holds a run other than <paramref name="configJson"/> would make: the "key: old -> new"
    /// differences between its <c>config.json</c> and this one (none for a new folder or the same settings).
    /// </summary>
    public IReadOnlyList<string> ConfigDifferences(string configJson) =>
        System.IO.File.Exists(ConfigFile) ? ConfigDiff.Between(System.IO.File.ReadAllText(ConfigFile), configJson) : [];

    /// <summary>
    /// Refuses to put a run with other settings into a folder that holds one, unless <paramref name="overwrite"/>:
    /// then, with <paramref name="clear"/>, the old run's files go first (a search, whose study would otherwise be
    /// resumed); without, they stay until the new run replaces each (a training, so one that fails leaves the old
    /// run whole). Nothing is changed when it refuses.
    /// </summary>
    public void ClaimFor(string configJson, bool overwrite, string what, bool clear = true)
    {
        var differences = ConfigDifferences(configJson);
        if (differences.Count > 0 && !overwrite)
            throw new GptNasException($"'{Path}' holds a {what} with other settings ({string.Join("; ", differences.Take(5))}); rerun with its settings " +
                                      "to resume it, give another --out, or --overwrite to replace it");
        if (!overwrite || !clear) return;
        foreach (var file in ResultFiles) System.IO.File.Delete(file);
        if (Directory.Exists(ReportFolder)) Directory.Delete(ReportFolder, recursive: true);
        if (System.IO.File.Exists(IdentityFile)) System.IO.File.Delete(IdentityFile);
    }

    public void WriteSearchConfig(SearchRunConfig config) => AtomicFile.WriteText(ConfigFile, GptNasJson.Serialize(config));

    /// <summary>The search's config, or null where the folder has none (a study read from a shared store).</summary>
    public SearchRunConfig? ReadSearchConfig() =>
        System.IO.File.Exists(ConfigFile) ? GptNasJson.Deserialize<SearchRunConfig>(System.IO.File.ReadAllText(ConfigFile), ConfigFile) : null;

    public void WriteTrainingConfig(TrainingRunConfig config) => AtomicFile.WriteText(ConfigFile, GptNasJson.Serialize(config));

    public void WriteBestArchitecture(Architecture best) => AtomicFile.WriteText(BestArchitectureFile, best.Canonical);

    public void WriteArchitecture(Architecture architecture) => AtomicFile.WriteText(ArchitectureFile, architecture.Canonical);

    public void WriteMetrics(TrainedModel result) => AtomicFile.WriteText(MetricsFile, GptNasJson.Serialize(result));

    public void WriteModelInput(ModelInput input) => AtomicFile.WriteText(ModelInputFile, GptNasJson.Serialize(input));

    /// <summary>The stored <see cref="ModelInput"/>, or null in folders written before it existed.</summary>
    public ModelInput? ReadModelInput()
    {
        if (!System.IO.File.Exists(ModelInputFile)) return null;
        var input = GptNasJson.Deserialize<ModelInput>(System.IO.File.ReadAllText(ModelInputFile), ModelInputFile);
        return input.Validate() is { } error ? throw new GptNasException($"'{ModelInputFile}': {error}") : input;
    }

    public void WriteEvaluation(ModelEvaluation evaluation) => AtomicFile.WriteText(EvaluationFile, GptNasJson.Serialize(evaluation));

    /// <summary><c>gptnas evaluate</c>'s last evaluation of the folder's model, or null when it was never evaluated.</summary>
    public ModelEvaluation? ReadEvaluation() =>
        System.IO.File.Exists(EvaluationFile) ? GptNasJson.Deserialize<ModelEvaluation>(System.IO.File.ReadAllText(EvaluationFile), EvaluationFile) : null;

    /// <summary>
    /// The trained model's architecture and weights file, for a training's folder and a search's alike.
    /// </summary>
    /// <exception cref="GptNasException">The folder holds no trained model, or its architecture file does not parse.</exception>
    public (Architecture Architecture, string WeightsFile) ReadTrainedModel()
    {
        if (!Directory.Exists(Path)) throw new GptNasException($"model folder '{Path}' does not exist");
        var architectureFile = TrainedArchitectureFile;
        if (architectureFile is null || !HasWeights)
            throw new GptNasException($"'{Path}' holds no trained model: it needs model.bin and architecture.txt (gptnas train) or best.arch (gptnas search)" +
                                      (System.IO.File.Exists(CheckpointFile) ? "; its training has not finished, rerun it to resume" : ""));
        try { return (Architecture.Parse(System.IO.File.ReadAllText(architectureFile)), WeightsFile); }
        catch (ArchitectureException e) { throw new GptNasException($"'{architectureFile}': {e.Message}", e); }
    }

    /// <summary>
    /// The data set named in <c>config.json</c> and the split its model trained on (validation share, split seed), or
    /// null without one: what an old folder without <c>input.json</c> recomputes its <see cref="ModelInput"/> from.
    /// </summary>
    public (string Data, double Validation, int Seed)? ReadTrainingData()
    {
        if (!System.IO.File.Exists(ConfigFile)) return null;
        var text = System.IO.File.ReadAllText(ConfigFile);
        if (System.IO.File.Exists(ArchitectureFile))
        {
            var training = GptNasJson.Deserialize<TrainingRunConfig>(text, ConfigFile);
            return (training.Data, training.Validation, training.Config.Seed);
        }
        var search = GptNasJson.Deserialize<SearchRunConfig>(text, ConfigFile);
        // Only folders written before input.json existed need this, and their final training held the validation share out.
        return (search.Data, search.Config.ValidationFraction, search.Config.Seed);
    }

    /// <summary>
    /// The study of this run in <paramref name="store"/>: the one that carries the folder's run id, else (a study from
    /// before run ids, or a worker's under the same name) the one named after the folder, else, in the folder's own
    /// <c>study.db</c>, its only study (the folder was renamed before it had an id). Null: none yet.
    /// </summary>
    public StudyRecord? FindStudy(ITrialStore store, bool ownStore)
    {
        if (ReadIdentity() is { } identity)
            foreach (var study in store.Studies())
                if (store.GetAttribute(study.Id, RunIdAttribute) == identity.Id) return study;
        if (store.FindStudy(Name) is { } named) return named;
        return ownStore && store.Studies() is [var only] ? only : null;
    }

    /// <summary>The final training stored with the study, or null before it has finished.</summary>
    public static TrainedModel? ReadFinal(ITrialStore store, long studyId) =>
        store.GetAttribute(studyId, FinalAttribute) is { } json ? GptNasJson.Deserialize<TrainedModel>(json, $"the study's {FinalAttribute} attribute") : null;

    public static void WriteFinal(ITrialStore store, long studyId, TrainedModel final) =>
        store.SetAttribute(studyId, FinalAttribute, GptNasJson.Serialize(final));

    private string File(string name) => System.IO.Path.Combine(Path, name);

    public override string ToString() => Path;
}
