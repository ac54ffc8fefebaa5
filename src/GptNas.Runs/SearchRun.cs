using GptNas.Architectures;
using GptNas.Config;
using GptNas.Data;
using GptNas.Reports;
using GptNas.Search;
using GptNas.Search.Strategies;
using GptNas.Spaces;
using GptNas.Storage;
using GptNas.Training;

namespace GptNas.Runs;

/// <summary>The outcome of a search: the best architecture, its proxy fitness and its final training.</summary>
public sealed record SearchOutcome(Architecture Best, string BestTrial, double ProxyFitness, TrainedModel Final, IReadOnlyList<GenerationSummary> History,
    ReconstructionSummary Reconstruction);

/// <summary>
/// One GPT-NAS search end to end: data, block space, prior, GA as a study, proxy fitness, then final training of
/// the best. Rerunning with the same run folder resumes where it stopped.
/// </summary>
/// <param name="join">True: other processes work on the same study (a shared store); their running trials are
/// waited for, and requeued only when their heartbeat stops.</param>
/// <param name="storage">Where the study lives: null for the run folder's own study store, else a SQLite path or a
/// PostgreSQL connection string (workers on several machines); the study is found by the folder's run id, and a new
/// one is named after the folder.</param>
/// <param name="overwrite">True: a folder that holds a search with other settings is emptied and searched again;
/// false: such a folder is refused, untouched.</param>
public sealed class SearchRun(SearchConfig config, string dataName, RunFolder folder, IBlockPredictorSource? priorSource = null, bool join = false,
    string? storage = null, bool overwrite = false)
{
    private const string Command = "gptnas search";
    private readonly Seeds seeds = new(config.Seed);

    /// <summary>
    /// Everything a user can get wrong is refused before the first file is written: settings, the output folder,
    /// a folder in use or holding another search, the data. Warnings go to <paramref name="log"/>.
    /// </summary>
    public SearchOutcome Run(IProgress<SearchProgress>? progress = null, IProgress<TrainingProgress>? finalProgress = null,
        Action<string>? log = null, CancellationToken cancellation = default)
    {
        foreach (var warning in config.Validate()) log?.Invoke($"warning: {warning}");
        if (overwrite && join) throw new GptNasException("--overwrite would delete the study that --join shares with other searches; give one of them");
        folder.CheckCanCreate();
        var record = new SearchRunConfig(dataName, config);
        var configJson = GptNasJson.Serialize(record);
        // Refused before the data loads where the folder exists; taken again below for a new one.
        var held = folder.Exists ? RunLock.Acquire(folder, Command, shared: join) : null;
        try
        {
            if (!overwrite) folder.ClaimFor(configJson, overwrite: false, "search");
            var (data, space, reconstructor, predictor) = Load(log);
            using var owned = predictor as IDisposable; // an online prior's own GPT

            folder.Create();
            held ??= RunLock.Acquire(folder, Command, shared: join);
            folder.ClaimFor(configJson, overwrite, "search");
            using var store = TrialStores.Open(storage, folder.StudyDatabase);
            var studyName = OpenStudy(store, configJson, log);
            folder.WriteSearchConfig(record);
            var device = TorchRuntime.Device();
            var evaluator = new TrainingEvaluator(data, config.Proxy, seeds, device);
            var options = new StudyRunnerOptions
            {
                StudyName = studyName, ConfigJson = configJson, Seed = config.Seed, Join = join,
                TrialTimeout = config.Proxy.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(config.Proxy.TimeoutSeconds) : null,
                Budget = config.Budget(),
            };
            var runner = new StudyRunner<Architecture>(space, evaluator, store, options);
            var strategy = Strategy(config, space, reconstructor, seeds);
            if (config.Proxy.Rungs > 1) strategy = new SuccessiveHalving<Architecture>(strategy, config.Proxy.Rungs, config.Proxy.HalvingFactor());
            var result = runner.Run(strategy, progress, cancellation);
            var trials = store.Trials(runner.StudyId);
            if (config.Budget() is not null)
                log?.Invoke($"budget: {runner.SecondsSpent:F0} s of trials spent of {config.BudgetSeconds:F0} s, in {trials.Count} trials");
            ThrowIfNoTrialSucceeded(trials);

            var best = result.Best;
            folder.WriteBestArchitecture(best.Candidate);
            var final = FinalTraining(store, runner.StudyId, best.Candidate, data, device, finalProgress, cancellation);
            return new SearchOutcome(best.Candidate, best.Id, best.Fitness, final, result.History, ReconstructionSummary.Of(trials));
        }
        finally
        {
            held?.Dispose();
        }
    }

    /// <summary>The data, the block space on its images and the GPT reconstruction with its predictor (null for the ablation).</summary>
    private (DataSplits Data, BlockSpace Space, ICandidatePrior<Architecture>? Reconstructor, IBlockPredictor? Predictor) Load(Action<string>? log)
    {
        var data = DataCatalog.Load(dataName, new DataOptions { ValidationFraction = config.ValidationFraction, SplitSeed = config.Seed });
        log?.Invoke($"data {dataName}: {data}");
        var input = new Shape(data.Train.Channels, data.Train.Height, data.Train.Width);
        foreach (var warning in config.Warnings(input)) log?.Invoke($"warning: {warning}");
        var space = new BlockSpace(config.Space.For(input, data.Train.ClassCount));
        var reconstruct = config.Strategy == SearchStrategyKind.Ga && config.Ga.Reconstruct;
        var prior = reconstruct ? priorSource?.Predictor(seeds) : null;
        if (reconstruct && prior is null)
            throw new GptNasException("reconstruction needs a GPT prior; give prior.path, or run the ablation with --no-gpt");
        ICandidatePrior<Architecture>? reconstructor = prior switch
        {
            null => null,
            IRefittableBlockPredictor online => new AdaptiveBlockReconstructor(space, online, config.Prior.OnlineTopKInEffect(), config.Ga.KeepDownsamples),
            _ => new BlockReconstructor(space, prior, config.Ga.KeepDownsamples),
        };
        return (data, space, reconstructor, prior);
    }

    /// <summary>
    /// Finds or creates this folder's study and ties the two together by the run id (<c>run.json</c> and the study's
    /// <see cref="RunFolder.RunIdAttribute"/>), so a copied folder resumes its own study and a renamed one still finds it.
    /// A study of another folder under the same name in a shared store is refused unless the user joins it.
    /// </summary>
    private string OpenStudy(Trials.ITrialStore store, string configJson, Action<string>? log)
    {
        var ownStore = string.IsNullOrWhiteSpace(storage);
        var found = folder.FindStudy(store, ownStore);
        var identity = folder.ReadIdentity();
        var owner = found is null ? null : store.GetAttribute(found.Id, RunFolder.RunIdAttribute);
        if (owner is not null && owner != identity?.Id && !ownStore && !join)
            throw new GptNasException($"the store already holds a study '{found!.Name}' of another run folder; give another --out, " +
                                      "or --join to work on that study together with it");
        var study = store.CreateStudy(found?.Name ?? folder.Name, configJson, config.Seed);
        owner ??= store.GetAttribute(study.Id, RunFolder.RunIdAttribute);
        var id = owner ?? identity?.Id ?? RunFolder.NewIdentity().Id;
        if (owner is null) store.SetAttribute(study.Id, RunFolder.RunIdAttribute, id);
        folder.WriteIdentity(new RunIdentity(id));
        WarnOnOtherThreadCount(store, study.Id, log);
        return study.Name;
    }

    /// <summary>
    /// libtorch splits its sums between threads, so a study resumed with another thread count continues another run
    /// than the one it began (README: Reproducibility). Workers that join a study each keep their own count.
    /// </summary>
    private void WarnOnOtherThreadCount(Trials.ITrialStore store, long studyId, Action<string>? log)
    {
        var threads = TorchSharp.torch.get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var stored = store.GetAttribute(studyId, RunFolder.ThreadsAttribute);
        if (stored is null) store.SetAttribute(studyId, RunFolder.ThreadsAttribute, threads);
        else if (stored != threads && !join)
            log?.Invoke($"warning: this search began with {stored} threads and resumes with {threads}; the trials still to run round differently " +
                        $"from an uninterrupted run (--threads {stored} continues it exactly)");
    }

    /// <summary>A search in which every trial failed has nothing to train: it ends with the commonest error.</summary>
    private void ThrowIfNoTrialSucceeded(IReadOnlyList<Trials.TrialRecord> trials)
    {
        if (trials.Count == 0 || trials.Any(t => t.State == Trials.TrialState.Complete)) return;
        var commonest = trials.GroupBy(t => t.Error ?? "no error recorded").MaxBy(g => g.Count())!;
        throw new GptNasException($"no trial succeeded: all {trials.Count} failed, {commonest.Count()} with '{commonest.Key}'; nothing was trained " +
                                  $"('gptnas trials list --run {folder}' shows every error)");
    }

    /// <summary>
    /// The strategy the config names. Random sampling gets the GA's budget, population x (generations + 1) candidates, or,
    /// under <see cref="SearchConfig.BudgetSeconds"/>, as many as the seconds pay for; asked a population at a time so that
    /// workers share them and reports draw them per generation.
    /// </summary>
    public static ISearchStrategy<Architecture> Strategy(SearchConfig config, BlockSpace space, ICandidatePrior<Architecture>? reconstructor, Seeds seeds) =>
        config.Strategy switch
        {
            SearchStrategyKind.Ga => new GeneticAlgorithm<Architecture>(space, config.Ga, reconstructor, seeds),
            SearchStrategyKind.Random => new RandomSearch<Architecture>(space, seeds, config.Budget() is null ? config.Ga.Trials() : null, config.Ga.Population),
            var other => throw new GptNasException($"unknown search strategy '{other}'"),
        };

    /// <summary>
    /// Trains the best architecture with the final settings (GPT-NAS §7); stored once per study. The training split is
    /// whole again (the proxies' validation hold-out included) unless <see cref="SearchConfig.FinalKeepsValidation"/>.
    /// </summary>
    private TrainedModel FinalTraining(Trials.ITrialStore store, long studyId, Architecture best, DataSplits data, TorchSharp.torch.Device device,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        if (RunFolder.ReadFinal(store, studyId) is { } stored && folder.HasWeights) return stored;
        var training = config.Final with { Seed = seeds.Derive("final") };
        if (!config.FinalKeepsValidation && data.Validation is not null)
            data = DataCatalog.Load(dataName, new DataOptions { ValidationFraction = 0, SplitSeed = config.Seed });
        var final = TrainingRun.Train(folder, best, data, dataName, training, device, progress, cancellation);
        RunFolder.WriteFinal(store, studyId, final);
        return final;
    }
}
