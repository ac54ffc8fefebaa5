using System.Diagnostics;
using GptNas.Trials;

namespace GptNas.Search;

/// <summary>
/// Runs a search strategy (<see cref="ISearchStrategy{T}"/>: the GA, random search, REA) as a study in an
/// <see cref="ITrialStore"/>: every individual it asks for is a trial, recorded before it is evaluated and finished once.
/// </summary>
/// <remarks>
/// Resume and workers come from one idea: a strategy is deterministic for its seed, so any process can replay it
/// from the start and take each trial's stored result instead of evaluating again. A trial that was Running
/// when its process died is requeued and redone. Several workers (processes sharing the store) replay the
/// same strategy; each claims the waiting trials it can and waits for the rest.
/// </remarks>
public sealed class StudyRunner<T>(
    ISearchSpace<T> space,
    IEvaluator<T> evaluator,
    ITrialStore store,
    StudyRunnerOptions options) where T : notnull
{
    public long StudyId { get; private set; }

    /// <summary>Seconds of trials the last <see cref="Run"/> spent, as recorded with them (a duplicate's own few milliseconds).</summary>
    public double SecondsSpent { get; private set; }

    public SearchResult<T> Run(ISearchStrategy<T> strategy, IProgress<SearchProgress>? progress = null, CancellationToken cancellation = default)
    {
        var study = store.CreateStudy(options.StudyName, options.ConfigJson, options.Seed);
        StudyId = study.Id;
        // Trials left Running by a process that is gone: a lone driver owns them all; workers wait for stale heartbeats.
        store.Requeue(study.Id, options.Join ? DateTimeOffset.UtcNow - options.StaleAfter : DateTimeOffset.UtcNow.AddSeconds(1));
        var done = 0;
        double? best = null;
        SecondsSpent = 0;
        var budget = options.Budget?.TotalSeconds;
        // Summed over the trials this run has asked, in order, never over the whole store: a resumed run replays the
        // stored times and stops where the first one did, not where the trials stored beyond that point would put it.
        while ((budget is null || SecondsSpent < budget) && strategy.Ask() is { Count: > 0 } batch)
        {
            var fitness = new double[batch.Count];
            var trials = batch.Select(ind => Record(study.Id, ind)).ToArray();
            var pending = new HashSet<int>(Enumerable.Range(0, batch.Count));
            while (pending.Count > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                foreach (var i in pending.ToArray())
                {
                    var trial = store.FindTrial(study.Id, trials[i].Generation, trials[i].Index)!;
                    if (!trial.State.IsFinished() && store.TryClaim(trial.Id, options.Worker))
                        trial = Evaluate(trial, batch[i], cancellation);
                    if (!trial.State.IsFinished()) continue;
                    fitness[i] = trial.State == TrialState.Complete ? trial.Fitness ?? double.NaN : double.NaN;
                    pending.Remove(i);
                    done++;
                    SecondsSpent += trial.Metrics.GetValueOrDefault(TrialMetrics.Seconds);
                    if (double.IsFinite(fitness[i]) && (best is null || fitness[i] > best)) best = fitness[i];
                    progress?.Report(new SearchProgress(batch[i].Generation, done, strategy.PlannedTrials, best, SecondsSpent, budget));
                }
                if (pending.Count > 0) WaitForOthers(study.Id);
            }
            strategy.Tell(fitness);
        }
        return strategy.Result;
    }

    private TrialRecord Record(long studyId, Individual<T> individual)
    {
        var hash = space.Hash(individual.Candidate);
        var trial = store.AddTrial(new TrialRecord
        {
            StudyId = studyId, Generation = individual.Generation, Index = individual.Index,
            Candidate = space.Encode(individual.Candidate), Hash = hash, Parents = individual.Parents,
            Operators = individual.Operators.Select(op => op.Text()).ToList(), Predicted = individual.Predicted, Seed = TrialSeed(hash),
        });
        if (trial.Hash != hash)
            throw new GptNasException($"the study's trial {trial.Name} holds another candidate than this run made ({trial.Hash} vs {hash}); " +
                                      "the store belongs to a different gptnas version or config: use a new output folder");
        return trial;
    }

    /// <summary>Evaluation seed from the candidate's hash, so a duplicate scores as its first copy did.</summary>
    private int TrialSeed(string hash) => new Seeds(options.Seed).Trial(hash);

    private TrialRecord Evaluate(TrialRecord trial, Individual<T> individual, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (options.TrialTimeout is { } timeout) limit.CancelAfter(timeout);
        using var heartbeat = new Timer(_ => store.Heartbeat(trial.Id, options.Worker), null, options.HeartbeatEvery, options.HeartbeatEvery);
        try
        {
            var duplicate = options.ReuseDuplicates ? Duplicate(trial, individual.Rung) : null;
            var result = duplicate ?? evaluator.Evaluate(individual, trial.Seed, limit.Token);
            // An evaluation that checked its token too rarely to stop in time still ran past the limit: it fails all the same,
            // judged by the clock, since on a busy machine the limit's timer may not have fired yet.
            if (duplicate is null && options.TrialTimeout is { } limitTime && clock.Elapsed > limitTime) limit.Cancel();
            if (duplicate is null) limit.Token.ThrowIfCancellationRequested();
            var metrics = new Dictionary<string, double>(result.Metrics) { [TrialMetrics.Seconds] = clock.Elapsed.TotalSeconds };
            foreach (var (key, value) in individual.PriorCounts) metrics[key] = value;
            if (duplicate is not null) metrics[TrialMetrics.Duplicate] = 1;
            if (individual.Rung > 0) metrics[TrialMetrics.Rung] = individual.Rung;
            if (!double.IsFinite(result.Fitness)) throw new GptNasException($"fitness is {result.Fitness}");
            store.Finish(trial.Id, TrialState.Complete, result.Fitness, metrics, null);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            store.Finish(trial.Id, TrialState.Failed, null, FailedMetrics(individual, clock), $"timed out after {options.TrialTimeout!.Value.TotalSeconds:F0} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A NaN loss, out of memory or a bad candidate fails this trial only; the search goes on.
            store.Finish(trial.Id, TrialState.Failed, null, FailedMetrics(individual, clock), $"{e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
        return store.FindTrial(trial.StudyId, trial.Generation, trial.Index)!;
    }

    private static Dictionary<string, double> FailedMetrics(Individual<T> individual, Stopwatch clock) =>
        new(individual.PriorCounts) { [TrialMetrics.Seconds] = clock.Elapsed.TotalSeconds };

    /// <summary>The result of an earlier complete trial that trained the same thing (<see cref="IEvaluator{T}.TrainingKey"/>) at the
    /// same rung (fidelity) in this study, if any.</summary>
    private EvaluationResult? Duplicate(TrialRecord trial, int rung)
    {
        var key = evaluator.TrainingKey(trial.Hash, trial.Predicted);
        var earlier = store.Trials(trial.StudyId).FirstOrDefault(t =>
            t.Hash == trial.Hash && t.State == TrialState.Complete && t.Id != trial.Id && evaluator.TrainingKey(t.Hash, t.Predicted) == key &&
            (int)t.Metrics.GetValueOrDefault(TrialMetrics.Rung) == rung);
        return earlier is null ? null : new EvaluationResult(earlier.Fitness!.Value,
            earlier.Metrics.Where(m => m.Key is not (TrialMetrics.Seconds or TrialMetrics.Duplicate) && !TrialMetrics.IsPriorCount(m.Key)).ToDictionary());
    }

    private void WaitForOthers(long studyId)
    {
        Thread.Sleep(options.PollEvery);
        store.Requeue(studyId, DateTimeOffset.UtcNow - options.StaleAfter);
    }
}

/// <summary>How a study is stored and shared.</summary>
public sealed record StudyRunnerOptions
{
    public required string StudyName { get; init; }
    /// <summary>The resolved config as JSON; a resumed study must have the same.</summary>
    public required string ConfigJson { get; init; }
    public required int Seed { get; init; }
    /// <summary>This process's name in trial records.</summary>
    public string Worker { get; init; } = $"{Environment.MachineName}/{Environment.ProcessId}";
    /// <summary>False: this process is the only one on the study, and owns every trial left Running. True: other
    /// processes share it; their Running trials are waited for, and redone only once their heartbeat stops.</summary>
    public bool Join { get; init; }
    public TimeSpan? TrialTimeout { get; init; }
    /// <summary>Trial time the study may spend: once the trials asked so far have spent it, no more are asked (the batch
    /// in progress is finished). Null: the strategy alone decides when it is done.</summary>
    public TimeSpan? Budget { get; init; }
    public TimeSpan HeartbeatEvery { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan PollEvery { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Score a candidate seen before in this study as it scored then, instead of training it again.</summary>
    public bool ReuseDuplicates { get; init; } = true;
}
