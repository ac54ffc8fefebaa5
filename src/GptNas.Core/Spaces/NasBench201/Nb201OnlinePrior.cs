using GptNas.Search;

namespace GptNas.Spaces.NasBench201;

/// <summary>
/// A prior learned from nothing but the search's own evaluations (the "no outside knowledge" track): after each
/// generation, the <c>topK</c> best evaluations so far (by the fitness the search saw; ties by the order told) are
/// weighted by rank, <c>topK</c> for the best down to 1, and <c>fit</c> turns them into the next-op table that
/// reconstructs the next generation. Before the first refit every op is equally likely.
/// </summary>
/// <remarks>
/// The weights reach <c>fit</c> as repetition: a cell of weight w appears w times, so a GPT's cross-entropy and a
/// count model weigh it alike. A refit depends only on the evaluations shown, in order, and on <c>fit</c>'s own
/// fixed seeds, so the GA stays deterministic and resumable by replay.
/// </remarks>
public sealed class Nb201OnlinePrior(Func<IReadOnlyList<Nb201Cell>, Nb201PrefixPrior> fit, int topK) : IAdaptivePrior<Nb201Cell>
{
    private Nb201PrefixPrior _current = Nb201PrefixPrior.Uniform();

    /// <summary>Refits so far.</summary>
    public int Refits { get; private set; }

    public void Observe(IReadOnlyList<Individual<Nb201Cell>> evaluated)
    {
        if (evaluated.Count == 0) return;
        _current = fit(RankWeighting.TopK(evaluated, topK));
        Refits++;
    }

    public Reconstruction<Nb201Cell> Rebuild(Nb201Cell candidate, IReadOnlyList<int> eliminated, Random random) =>
        _current.Rebuild(candidate, eliminated, random);
}
