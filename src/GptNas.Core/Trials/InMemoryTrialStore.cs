namespace GptNas.Trials;

/// <summary>An <see cref="ITrialStore"/> in process memory, for tests and throw-away runs. One lock guards all.</summary>
public sealed class InMemoryTrialStore : ITrialStore
{
    private readonly Lock _lock = new();
    private readonly List<StudyRecord> _studies = [];
    private readonly List<TrialRecord> _trials = [];
    private readonly Dictionary<(long, string), string> _attributes = [];

    public StudyRecord CreateStudy(string name, string config, int seed)
    {
        lock (_lock)
        {
            if (_studies.FirstOrDefault(s => s.Name == name) is { } existing)
                return StudyConfigMismatchException.ThrowIfDiffers(existing, config, seed);
            var study = new StudyRecord(_studies.Count + 1, name, config, seed, DateTimeOffset.UtcNow);
            _studies.Add(study);
            return study;
        }
    }

    public StudyRecord? FindStudy(string name) { lock (_lock) return _studies.FirstOrDefault(s => s.Name == name); }
    public IReadOnlyList<StudyRecord> Studies() { lock (_lock) return _studies.ToList(); }

    public TrialRecord AddTrial(TrialRecord draft)
    {
        lock (_lock)
        {
            if (Find(draft.StudyId, draft.Generation, draft.Index) is { } existing) return existing;
            var trial = draft with { Id = _trials.Count + 1, State = TrialState.Waiting };
            _trials.Add(trial);
            return trial;
        }
    }

    public bool TryClaim(long trialId, string worker)
    {
        lock (_lock)
        {
            var trial = _trials[(int)trialId - 1];
            if (trial.State != TrialState.Waiting) return false;
            var now = DateTimeOffset.UtcNow;
            _trials[(int)trialId - 1] = trial with { State = TrialState.Running, Worker = worker, Started = now, Heartbeat = now };
            return true;
        }
    }

    public void Heartbeat(long trialId, string worker)
    {
        lock (_lock)
        {
            var trial = _trials[(int)trialId - 1];
            if (trial.State == TrialState.Running && trial.Worker == worker)
                _trials[(int)trialId - 1] = trial with { Heartbeat = DateTimeOffset.UtcNow };
        }
    }

    public void Finish(long trialId, TrialState state, double? fitness, IReadOnlyDictionary<string, double> metrics, string? error)
    {
        if (!state.IsFinished()) throw new ArgumentException($"{state} is not a finished state", nameof(state));
        lock (_lock)
        {
            var trial = _trials[(int)trialId - 1];
            if (trial.State.IsFinished()) throw new InvalidOperationException($"trial {trial.Name} is already {trial.State}; finished trials are immutable");
            _trials[(int)trialId - 1] = trial with { State = state, Fitness = fitness, Metrics = new Dictionary<string, double>(metrics), Error = error, Finished = DateTimeOffset.UtcNow };
        }
    }

    public int Requeue(long studyId, DateTimeOffset heartbeatBefore)
    {
        lock (_lock)
        {
            var count = 0;
            for (var i = 0; i < _trials.Count; i++)
            {
                var trial = _trials[i];
                if (trial.StudyId != studyId || trial.State != TrialState.Running || trial.Heartbeat >= heartbeatBefore) continue;
                _trials[i] = trial with { State = TrialState.Waiting, Worker = null, Started = null, Heartbeat = null };
                count++;
            }
            return count;
        }
    }

    public TrialRecord? FindTrial(long studyId, int generation, int index) { lock (_lock) return Find(studyId, generation, index); }
    public IReadOnlyList<TrialRecord> Trials(long studyId) { lock (_lock) return _trials.Where(t => t.StudyId == studyId).ToList(); }

    public void SetAttribute(long studyId, string key, string value) { lock (_lock) _attributes[(studyId, key)] = value; }
    public string? GetAttribute(long studyId, string key) { lock (_lock) return _attributes.GetValueOrDefault((studyId, key)); }

    private TrialRecord? Find(long studyId, int generation, int index) =>
        _trials.FirstOrDefault(t => t.StudyId == studyId && t.Generation == generation && t.Index == index);

    public void Dispose() { }
}
