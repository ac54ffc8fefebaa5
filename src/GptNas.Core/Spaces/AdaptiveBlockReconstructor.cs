using GptNas.Architectures;
using GptNas.Search;

namespace GptNas.Spaces;

/// <summary>
/// Reconstruction with the online prior (<c>prior.online=true</c>): the same rebuild as <see cref="BlockReconstructor"/>, and
/// after every generation the predictor is refitted on the <paramref name="topK"/> best architectures evaluated so far,
/// rank-weighted, before the next generation is rebuilt.
/// </summary>
/// <remarks>Resumable by replay: a resumed search tells the GA the same stored results in the same order, so every refit
/// sees the same architectures and, from the predictor's fixed seeds, gives the same predictor.</remarks>
public sealed class AdaptiveBlockReconstructor(BlockSpace space, IRefittableBlockPredictor predictor, int topK, bool keepDownsamples = true) : IAdaptivePrior<Architecture>
{
    private readonly BlockReconstructor _rebuild = new(space, predictor, keepDownsamples);

    public void Observe(IReadOnlyList<Individual<Architecture>> evaluated)
    {
        if (evaluated.Count > 0) predictor.Refit(RankWeighting.TopK(evaluated, topK));
    }

    public Reconstruction<Architecture> Rebuild(Architecture candidate, IReadOnlyList<int> eliminated, Random random) =>
        _rebuild.Rebuild(candidate, eliminated, random);
}
