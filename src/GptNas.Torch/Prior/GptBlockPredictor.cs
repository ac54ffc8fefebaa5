using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Gpt;
using GptNas.Search;
using GptNas.Spaces;

namespace GptNas.Prior;

/// <summary>
/// GPT-NAS §5's proposal step: the rebuilt prefix's last layer tokens go to the GPT, which predicts the next
/// layer among the tokens that can follow there (their input must be the prefix's output size; failing
/// that, its resolution); the block classifier then names the block kind, among the kinds that fit.
/// </summary>
public sealed class GptBlockPredictor(ArchitecturePrior prior, SamplingOptions sampling) : IBlockPredictor
{
    public BlockPrediction Predict(Architecture prefix, IReadOnlySet<BlockKind> allowedKinds, Random random)
    {
        var tokens = LayerToken.Encode(prefix);
        var body = tokens.Count - HeadTokens(prefix);
        var ids = prior.Vocabulary.Encode(tokens.Take(body));
        var context = PriorContext.Before(ids, ids.Length, prior.Gpt.Config.Context);
        var current = body > 0 ? tokens[body - 1].Out : (TokenSize?)null;
        var sampler = new GptSampler(prior.Gpt, random.Next());
        var next = sampler.Next(context, sampling, current is { } size ? Mask(size) : null);
        var token = prior.Vocabulary.TokenAt(next);
        var kind = prior.Classifier.Predict(context, next, allowedKinds.ToList());
        var downsamples = token is not null && !token.In.IsGlobal && !token.Out.IsGlobal && token.Out.Factor > token.In.Factor;
        return new BlockPrediction(kind, token?.Out.Channels, downsamples, prior.Vocabulary[next]);
    }

    /// <summary>Global pool, optional dropout and fc: the head is not part of the context the GPT continues.</summary>
    private static int HeadTokens(Architecture architecture) => architecture.Dropout > 0 ? 3 : 2;

    /// <summary>Tokens whose input is <paramref name="size"/>; else those at its resolution; else none (all allowed).</summary>
    private bool[]? Mask(TokenSize size)
    {
        var vocabulary = prior.Vocabulary;
        bool[] Where(Func<LayerToken, bool> keep) =>
            Enumerable.Range(0, vocabulary.Count).Select(id => vocabulary.TokenAt(id) is { } t && keep(t)).ToArray();
        var exact = Where(t => t.In == size);
        if (exact.Any(b => b)) return exact;
        var resolution = Where(t => t.In.Factor == size.Factor);
        return resolution.Any(b => b) ? resolution : null;
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
