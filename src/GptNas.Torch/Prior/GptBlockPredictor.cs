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

/// <summary>Loads the configured (or shipped) prior once and hands out GPT predictors with the run's sampling settings.</summary>
public sealed class PriorPredictorSource(Config.PriorSettings settings) : IBlockPredictorSource
{
    private ArchitecturePrior? _prior;

    public IBlockPredictor Predictor(Seeds seeds)
    {
        _prior ??= ArchitecturePrior.Load(settings.Path.Length > 0 ? settings.Path : ArchitecturePrior.ShippedFolder());
        var sampling = settings.Temperature <= 0 ? SamplingOptions.GreedyDecoding : new SamplingOptions { Temperature = settings.Temperature, TopK = settings.TopK };
        return new GptBlockPredictor(_prior, sampling);
    }
}
