using System.Text.Json;
using GptNas.Architectures;
using GptNas.Config;
using GptNas.Data;
using GptNas.Networks;
using GptNas.Spaces;
using GptNas.Storage;
using GptNas.Training;
using GptNas.Trials;
using TorchSharp;

namespace GptNas.Search;

/// <summary>The outcome of a search: the best architecture, its proxy fitness and its final training.</summary>
public sealed record SearchOutcome(Architecture Best, string BestTrial, double ProxyFitness, FinalResult Final, IReadOnlyList<GenerationSummary> History);

/// <summary>Final training of the best architecture (GPT-NAS §7), as stored with the study.</summary>
public sealed record FinalResult(double TestTop1, double TestTop5, double Seconds, IReadOnlyList<EpochMetrics> History);

/// <summary>
/// One GPT-NAS search end to end: data, block space, prior, GA as a study in SQLite, proxy fitness, then
/// final training of the best. Rerunning with the same output folder resumes where it stopped.
/// </summary>
/// <param name="join">True: other processes work on the same study (a shared store); their running trials are
/// waited for, and requeued only when their heartbeat stops.</param>
/// <param name="storage">Where the study lives: null for <c>study.db</c> in the run folder, else a SQLite path or a
/// PostgreSQL connection string (workers on several machines); the study is named after the run folder.</param>
public sealed class SearchRun(SearchConfig config, string dataName, string folder, IBlockPredictorSource? priorSource = null, bool join = false,
    string? storage = null)
{
    public string StoragePath => Path.Combine(folder, "study.db");
    public string StudyName => RunStudy.StudyName(folder);

    public SearchOutcome Run(IProgress<SearchProgress>? progress = null, IProgress<TrainingProgress>? finalProgress = null,
        Action<string>? log = null, CancellationToken cancellation = default)
    {
        var data = DataCatalog.Load(dataName, new DataOptions { ValidationFraction = config.ValidationFraction, SplitSeed = config.Seed });
        log?.Invoke($"data {dataName}: {data}");
        var space = new BlockSpace(SpaceConfig(config, data));
        var seeds = new Seeds(config.Seed);
        var prior = config.Ga.Reconstruct ? priorSource?.Predictor(seeds) : null;
        if (config.Ga.Reconstruct && prior is null)
            throw new GptNasException("reconstruction needs a GPT prior; give prior.path, or run the ablation with --no-gpt");
        ICandidatePrior<Architecture>? reconstructor = prior is null ? null : new BlockReconstructor(space, prior);

        Directory.CreateDirectory(folder);
        var configJson = JsonSerializer.Serialize(new { data = dataName, config }, ConfigOverrides.Json);
        File.WriteAllText(Path.Combine(folder, "config.json"), configJson);
        using var store = TrialStores.Open(storage, StoragePath);
        var device = TorchRuntime.Device();
        var evaluator = new TrainingEvaluator(data, config.Proxy, seeds, device);
        var options = new StudyRunnerOptions
        {
            StudyName = StudyName, ConfigJson = configJson, Seed = config.Seed, Workers = join ? 2 : 1,
            TrialTimeout = config.Proxy.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(config.Proxy.TimeoutSeconds) : null,
        };
        var runner = new StudyRunner<Architecture>(space, evaluator, store, options);
        var result = runner.Run(new GeneticAlgorithm<Architecture>(space, config.Ga, reconstructor, seeds), config.Ga, progress, cancellation);

        var best = result.Best;
        File.WriteAllText(Path.Combine(folder, "best.arch"), best.Candidate.Canonical);
        var final = FinalTraining(store, runner.StudyId, best.Candidate, data, device, finalProgress, cancellation);
        return new SearchOutcome(best.Candidate, best.Id, best.Fitness, final, result.History);
    }

    /// <summary>Trains the best architecture with the final settings and reports test accuracy; stored once per study.</summary>
    private FinalResult FinalTraining(ITrialStore store, long studyId, Architecture best, DataSplits data, torch.Device device,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        if (store.GetAttribute(studyId, "final") is { } stored && File.Exists(Path.Combine(folder, "model.bin")))
            return JsonSerializer.Deserialize<FinalResult>(stored, ConfigOverrides.Json)!;
        var training = config.Final with { Seed = new Seeds(config.Seed).Derive("final") };
        using var network = NetworkBuilder.Build(best, new Seeds(training.Seed));
        var batches = new DataBatches(data, training);
        var result = new Trainer(training, device).Fit(network, batches.Train, batches.Validation, batches.Test, progress: progress, cancellation: cancellation);
        Checkpoint.SaveWeights(network, Path.Combine(folder, "model.bin"));
        var final = new FinalResult(result.Test!.Top1, result.Test.Top5, result.Seconds, result.History);
        store.SetAttribute(studyId, "final", JsonSerializer.Serialize(final, ConfigOverrides.Json));
        return final;
    }

    public static BlockSpaceConfig SpaceConfig(SearchConfig config, DataSplits data)
    {
        var input = new Shape(data.Train.Channels, data.Train.Height, data.Train.Width);
        return new BlockSpaceConfig
        {
            Input = input, Classes = data.Train.ClassCount, MinBlocks = config.Space.MinBlocks, MaxBlocks = config.Space.MaxBlocks,
            Widths = config.Space.Widths,
            MaxDownsamples = config.Space.MaxDownsamples > 0 ? config.Space.MaxDownsamples : BlockSpaceConfig.DefaultDownsamples(input),
            StemStride = Math.Min(input.Height, input.Width) >= 128 ? 2 : 1,
        };
    }
}

/// <summary>Makes the block predictor that reconstruction uses, seeded from the run's seeds.</summary>
public interface IBlockPredictorSource
{
    IBlockPredictor Predictor(Seeds seeds);
}
