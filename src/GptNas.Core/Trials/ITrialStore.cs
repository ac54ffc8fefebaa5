namespace GptNas.Trials;

/// <summary>
/// Where studies and their trials live. The contract every backend keeps (a shared test suite checks it):
/// <list type="bullet">
/// <item>Thread-safe, and safe across processes for backends that are (SQLite file, PostgreSQL).</item>
/// <item>A study name is unique; <see cref="CreateStudy"/> of an existing name with a different config throws
/// <see cref="StudyConfigMismatchException"/> (resuming with another config is refused, never mixed).</item>
/// <item>(study, generation, index) is unique; <see cref="AddTrial"/> of an existing position returns the stored trial.</item>
/// <item><see cref="TryClaim"/> moves Waiting to Running for exactly one caller; every other caller gets false.</item>
/// <item>Finished trials (Complete, Failed, Pruned) are immutable: <see cref="Finish"/> on one throws.</item>
/// <item><see cref="Requeue"/> returns Running trials whose heartbeat is older than a cutoff to Waiting, so the
/// trial of a worker that died is redone by someone else.</item>
/// </list>
/// </summary>
public interface ITrialStore : IDisposable
{
    StudyRecord CreateStudy(string name, string config, int seed);
    StudyRecord? FindStudy(string name);
    IReadOnlyList<StudyRecord> Studies();

    TrialRecord AddTrial(TrialRecord draft);
    bool TryClaim(long trialId, string worker);
    void Heartbeat(long trialId, string worker);
    void Finish(long trialId, TrialState state, double? fitness, IReadOnlyDictionary<string, double> metrics, string? error);
    int Requeue(long studyId, DateTimeOffset heartbeatBefore);

    TrialRecord? FindTrial(long studyId, int generation, int index);
    IReadOnlyList<TrialRecord> Trials(long studyId);

    void SetAttribute(long studyId, string key, string value);
    string? GetAttribute(long studyId, string key);
}

/// <summary>Resuming a study with a config other than the one it was created with.</summary>
public sealed class StudyConfigMismatchException(string study, string difference)
    : GptNasException($"study '{study}' was created with another config ({difference}); rerun with the same settings, give another --out, or --overwrite to start over")
{
    /// <summary>The check every store makes when a study of that name exists: same config and seed, or this exception.</summary>
    public static StudyRecord ThrowIfDiffers(StudyRecord existing, string config, int seed)
    {
        var diff = ConfigDiff.Between(existing.Config, config);
        if (diff.Count > 0 || existing.Seed != seed)
            throw new StudyConfigMismatchException(existing.Name, diff.Count > 0 ? string.Join("; ", diff) : $"seed: {existing.Seed} -> {seed}");
        return existing;
    }
}
