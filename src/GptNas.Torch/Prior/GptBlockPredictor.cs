using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Gpt;
using GptNas.Search;
using GptNas.Spaces;

namespace GptNas.Prior;

/// <summary>
/// GPT-NAS §5's proposal step: the rebuilt prefix's last layer tokens go to the GPT, which predicts the next layer
/// among the layers a block can begin with at this position; the block classifier then names the kind among the
/// kinds that can begin with it; the GPT rolls on to the end of such a block, so that the layers after the first
/// (a down-sampling 3x3 after a 1x1, a squeeze-excitation) are its prediction too.
/// </summary>
public sealed class GptBlockPredictor(ArchitecturePrior prior, SamplingOptions sampling) : IBlockPredictor
{
    /// <summary>The most layers rolled out after the first.</summary>
    private const int MaxRollout = 24;

    public BlockPrediction Predict(Architecture prefix, BlockPosition position, Random random)
    {
        var vocabulary = prior.Vocabulary;
        var tokens = LayerToken.Encode(prefix);
        var body = tokens.Take(tokens.Count - prefix.HeadUnits).ToList(); // the head is not part of the context the GPT continues
        var ids = vocabulary.Encode(body).ToList();
        var context = PriorContext.Before(ids, ids.Count, prior.Gpt.Config.Context);
        var read = body.TakeLast(context.Length - (context[0] == Vocabulary.BosId ? 1 : 0)).ToList();
        var exact = read.Count(vocabulary.IsExact);
        var sampler = new GptSampler(prior.Gpt, random.Next());

        var (mask, relaxed) = Mask(position);
        var next = sampler.Next(context, sampling, mask);
        var first = vocabulary.TokenAt(next);
        var starting = first is null ? new HashSet<BlockKind>() : position.KindsStartingWith(first);
        var kind = prior.Classifier.Predict(context, next, starting.Count > 0 ? starting.ToList() : position.Kinds.ToList());

        var layers = new List<LayerToken>();
        if (first is not null) layers.Add(first);
        var rolled = new List<int>(ids) { next };
        while (layers.Count > 0 && layers.Count < Math.Min(position.Layers(kind), MaxRollout + 1))
        {
            var id = sampler.Next(PriorContext.Before(rolled, rolled.Count, prior.Gpt.Config.Context), sampling);
            if (vocabulary.TokenAt(id) is not { } token) break;
            layers.Add(token);
            rolled.Add(id);
        }
        var counts = new PredictionCounts(read.Count, exact, read.Count + 1, exact + (first is not null ? 1 : 0), relaxed, starting.Count == 0);
        return new BlockPrediction(kind, layers, counts);
    }

    /// <summary>The tokens a block can begin with here; failing any, those at this position's stage; failing any, none (all allowed).</summary>
    private (bool[]? Mask, bool Relaxed) Mask(BlockPosition position)
    {
        var vocabulary = prior.Vocabulary;
        bool[] Where(Func<LayerToken, bool> keep) =>
            Enumerable.Range(0, vocabulary.Count).Select(id => vocabulary.TokenAt(id) is { } t && keep(t)).ToArray();
        var exact = Where(position.FirstLayers.Contains);
        if (exact.Any(b => b)) return (exact, false);
        var stage = Where(t => t.Category != LayerCategory.Fc && !t.IsGlobal && t.Stage == position.Stage);
        return (stage.Any(b => b) ? stage : null, true);
    }
}

/// <summary>
/// The online prior's predictor (<c>prior.online=true</c>): predicts as <see cref="GptBlockPredictor"/> does with a GPT of its
/// own, which each <see cref="Refit"/> fine-tunes (Adam, <see cref="Config.PriorSettings.OnlineEpochsInEffect()"/> passes) on the search's
/// best architectures written as layer tokens. The block classifier stays as trained on the corpora.
/// </summary>
/// <remarks>
/// Deterministic, so a resumed search rebuilds the same prior by replay: each refit draws its batch order and dropout from its
/// own seed, and trains on one torch thread, since the sums of a multi-threaded backward pass depend on the thread count.
/// </remarks>
public sealed class OnlineGptBlockPredictor(ArchitecturePrior prior, SamplingOptions sampling, Config.PriorSettings settings, Seeds seeds)
    : IRefittableBlockPredictor, IDisposable
{
    private readonly GptBlockPredictor _predictor = new(prior, sampling);
    private int _refits;

    public BlockPrediction Predict(Architecture prefix, BlockPosition position, Random random) => _predictor.Predict(prefix, position, random);

    public void Refit(IReadOnlyList<Architecture> weighted)
    {
        var sequences = weighted.Select(a => prior.Vocabulary.Encode(LayerToken.Encode(a))).ToList();
        var training = new GptTrainingConfig
        {
            Epochs = settings.OnlineEpochsInEffect(), BatchSize = 64, LearningRate = settings.OnlineLearningRateInEffect(), Optimizer = GptOptimizer.Adam,
            Seed = seeds.Derive($"online-prior/{_refits++}"),
        };
        using var oneThread = TorchRuntime.OneThread();
        using var trainer = new GptTrainer(prior.Gpt, training);
        trainer.Fit(sequences);
    }

    public void Dispose() => prior.Dispose();
}

/// <summary>
/// Loads the configured (or shipped) prior once and hands out GPT predictors with the run's sampling settings; with
/// <c>prior.online=true</c>, each predictor gets a GPT of its own to fine-tune, so that searches in one process never share
/// what one of them learned.
/// </summary>
public sealed class PriorPredictorSource(Config.PriorSettings settings) : IBlockPredictorSource
{
    private ArchitecturePrior? _prior;
    private CorpusCountBlockPredictor? _counts;

    private string Folder => ArchitecturePrior.Resolve(settings.Path);

    public IBlockPredictor Predictor(Seeds seeds)
    {
        if (settings.Uniform) return new UniformBlockPredictor();
        if (settings.Counts) return _counts ??= CorpusCounts(Folder); // it keeps no state between draws
        var sampling = settings.Temperature <= 0 ? SamplingOptions.GreedyDecoding : new SamplingOptions { Temperature = settings.Temperature, TopK = settings.TopK };
        if (settings.Online) return new OnlineGptBlockPredictor(ArchitecturePrior.Load(Folder), sampling, settings, seeds.Child("online-prior"));
        _prior ??= ArchitecturePrior.Load(Folder);
        return new GptBlockPredictor(_prior, sampling);
    }

    /// <summary>The block counts of the networks the prior in <paramref name="folder"/> was fine-tuned on (its held-out ones excluded),
    /// each counted as often as the fine-tuning read it (<see cref="PriorTrainingConfig.NetworkRepeats"/>).</summary>
    public static CorpusCountBlockPredictor CorpusCounts(string folder)
    {
        var manifest = PriorManifest.Read(folder);
        var config = manifest.Config;
        return CorpusCountBlockPredictor.Of(manifest.Split.TrainNetworks.SelectMany(name =>
            Enumerable.Repeat(ArchitectureCatalog.Build(name, config.InputShape, config.Classes), config.NetworkRepeats.GetValueOrDefault(name, 1))));
    }
}
