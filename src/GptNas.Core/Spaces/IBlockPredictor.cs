using GptNas.Architectures;
using GptNas.Corpora;

namespace GptNas.Spaces;

/// <summary>
/// What reconstruction asks of the prior (GPT-NAS §5): given the network built so far, the layers that come next
/// and the kind of block they start. Implemented by the GPT with its block classifier.
/// </summary>
public interface IBlockPredictor
{
    /// <param name="prefix">Stem and the blocks rebuilt so far (its head is not part of the context).</param>
    /// <param name="position">What can be built at this position.</param>
    BlockPrediction Predict(Architecture prefix, BlockPosition position, Random random);
}

/// <summary>What the block space can build after a prefix: the question reconstruction puts to the predictor.</summary>
/// <param name="Kinds">Kinds that can be built here.</param>
/// <param name="FirstLayers">Every layer some block can begin with here: the next layer is drawn among these (GPT-NAS §5: mask what cannot fit).</param>
/// <param name="Stage">The stage of the incoming map (see <see cref="LayerToken.Stage"/>).</param>
/// <param name="KindsStartingWith">The kinds that can build a block beginning with a given layer here.</param>
/// <param name="Layers">The most layers a block of a kind writes here: how far to roll the GPT out.</param>
public sealed record BlockPosition(
    IReadOnlySet<BlockKind> Kinds,
    IReadOnlySet<LayerToken> FirstLayers,
    int Stage,
    Func<LayerToken, IReadOnlySet<BlockKind>> KindsStartingWith,
    Func<BlockKind, int> Layers);

/// <summary>The predicted block kind and layers (the next layer, then the GPT's rollout to the block's end; empty for a
/// predictor that proposes no layers), with the counts of how the prediction was made.</summary>
public sealed record BlockPrediction(BlockKind Kind, IReadOnlyList<LayerToken> Layers, PredictionCounts Counts);

/// <param name="ContextTokens">Layer tokens read as context.</param>
/// <param name="ContextExact">Of those, vocabulary tokens themselves (not encoded through the nearest-token fallback).</param>
/// <param name="ClassifierTokens">Tokens the block classifier read.</param>
/// <param name="ClassifierExact">Of those, vocabulary tokens themselves.</param>
/// <param name="MaskRelaxed">No vocabulary token could begin a block here, so the next layer was drawn without that restriction.</param>
/// <param name="Unrealisable">No kind can begin with the drawn layer, so the kind was chosen among all that fit.</param>
public sealed record PredictionCounts(int ContextTokens, int ContextExact, int ClassifierTokens, int ClassifierExact, bool MaskRelaxed, bool Unrealisable)
{
    public static PredictionCounts None { get; } = new(0, 0, 0, 0, false, false);
}

/// <summary>Makes the block predictor that a search's reconstruction uses, seeded from the run's seeds.</summary>
public interface IBlockPredictorSource
{
    IBlockPredictor Predictor(Seeds seeds);
}

/// <summary>A block predictor that learns from the search: refitted between generations on its best architectures so far.</summary>
public interface IRefittableBlockPredictor : IBlockPredictor
{
    /// <param name="weighted">The architectures to learn from, each repeated by its weight (<see cref="Search.RankWeighting"/>).</param>
    void Refit(IReadOnlyList<Architecture> weighted);
}
