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
/// PostgreSQL connection string (workers on several machines); the study is named after the run folder.</param>
public sealed class SearchRun(SearchConfig config, string dataName, RunFolder folder, IBlockPredictorSource? priorSource = null, bool join = false,
    string? storage = null)
{
    public SearchOutcome Run(IProgress<SearchProgress>? progress = null, IProgress<TrainingProgress>? finalProgress = null,
        Action<string>? log = null, CancellationToken cancellation = default)
    {
        var data = DataCatalog.Load(dataName, new DataOptions { ValidationFraction = config.ValidationFraction, SplitSeed = config.Seed });
        log?.Invoke($"data {dataName}: {data}");
        var space = new BlockSpace(config.Space.For(new Shape(data.Train.Channels, data.Train.Height, data.Train.Width), data.Train.ClassCount));
        var seeds = new Seeds(config.Seed);
        var reconstruct = config.Strategy == SearchStrategyKind.Ga && config.Ga.Reconstruct;
        var prior = reconstruct ? priorSource?.Predictor(seeds) : null;
        if (reconstruct && prior is null)
            throw new GptNasException("reconstruction needs a GPT prior; give prior.path, or run the ablation with --no-gpt");
        ICandidatePrior<Architecture>? reconstructor = prior is null ? null : new BlockReconstructor(space, prior);

        folder.Create();
        var record = new SearchRunConfig(dataName, config);
        folder.WriteSearchConfig(record);
        using var store = TrialStores.Open(storage, folder.StudyDatabase);
        var device = TorchRuntime.Device();
        var evaluator = new TrainingEvaluator(data, config.Proxy, seeds, device);
        var options = new StudyRunnerOptions
        {
            StudyName = folder.Name, ConfigJson = GptNasJson.Serialize(record), Seed = config.Seed, Join = join,
            TrialTimeout = config.Proxy.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(config.Proxy.TimeoutSeconds) : null,
        };
        var runner = new StudyRunner<Architecture>(space, evaluator, store, options);
        var strategy = Strategy(config, space, reconstructor, seeds);
        if (config.Proxy.Rungs > 1) strategy = new SuccessiveHalving<Architecture>(strategy, config.Proxy.Rungs, config.Proxy.HalvingFactor());
        var result = runner.Run(strategy, progress, cancellation);

        var best = result.Best;
        folder.WriteBestArchitecture(best.Candidate);
        var final = FinalTraining(store, runner.StudyId, best.Candidate, data, device, finalProgress, cancellation);
        return new SearchOutcome(best.Candidate, best.Id, best.Fitness, final, result.History, ReconstructionSummary.Of(store.Trials(runner.StudyId)));
    }

    /// <summary>
    /// The strategy the config names. Random sampling gets the GA's budget, population x (generations + 1) candidates,
    /// asked a population at a time so that workers share them and reports draw them per generation.
    /// </summary>
    public static ISearchStrategy<Architecture> Strategy(SearchConfig config, BlockSpace space, ICandidatePrior<Architecture>? reconstructor, Seeds seeds) =>
        config.Strategy switch
        {
            SearchStrategyKind.Ga => new GeneticAlgorithm<Architecture>(space, config.Ga, reconstructor, seeds),
            SearchStrategyKind.Random => new RandomSearch<Architecture>(space, seeds, config.Ga.Population * (config.Ga.Generations + 1), config.Ga.Population),
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
        var training = config.Final with { Seed = new Seeds(config.Seed).Derive("final") };
        if (!config.FinalKeepsValidation && data.Validation is not null)
            data = DataCatalog.Load(dataName, new DataOptions { ValidationFraction = 0, SplitSeed = config.Seed });
        var final = TrainingRun.Train(folder, best, data, dataName, training, device, progress, cancellation);
        RunFolder.WriteFinal(store, studyId, final);
        return final;
    }
}
