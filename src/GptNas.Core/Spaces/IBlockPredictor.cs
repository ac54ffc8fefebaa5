using GptNas.Architectures;

namespace GptNas.Spaces;

/// <summary>
/// What reconstruction asks of the prior (GPT-NAS §5): given the network built so far, the next layer and
/// the kind of block it starts. Implemented by the GPT with its block classifier.
/// </summary>
public interface IBlockPredictor
{
    /// <param name="prefix">Stem and the blocks rebuilt so far (its head is not part of the context).</param>
    /// <param name="allowedKinds">Kinds that can be built at this position; the prediction must be one of them.</param>
    BlockPrediction Predict(Architecture prefix, IReadOnlySet<BlockKind> allowedKinds, Random random);
}

/// <summary>The predicted next layer's output channels, whether it halves the resolution, and the block kind.</summary>
public sealed record BlockPrediction(BlockKind Kind, int? OutChannels, bool Downsamples, string? Token = null);

/// <summary>Makes the block predictor that a search's reconstruction uses, seeded from the run's seeds.</summary>
public interface IBlockPredictorSource
{
    IBlockPredictor Predictor(Seeds seeds);
}
