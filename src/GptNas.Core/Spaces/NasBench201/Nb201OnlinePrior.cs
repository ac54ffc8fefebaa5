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

    /// <summary>The cells a refit trains on, each repeated by its rank weight.</summary>
    public static IReadOnlyList<Nb201Cell> Weighted(IReadOnlyList<Individual<Nb201Cell>> evaluated, int topK)
    {
        if (topK < 1) throw new GptNasException($"the online prior's top-k is {topK}; it must be at least 1");
        var best = evaluated.Select((ind, order) => (ind, order)).OrderByDescending(x => x.ind.Fitness).ThenBy(x => x.order).Take(topK).ToList();
        return best.SelectMany((x, rank) => Enumerable.Repeat(x.ind.Candidate, topK - rank)).ToList();
    }

    public void Observe(IReadOnlyList<Individual<Nb201Cell>> evaluated)
    {
        if (evaluated.Count == 0) return;
        _current = fit(Weighted(evaluated, topK));
        Refits++;
    }

    public Reconstruction<Nb201Cell> Rebuild(Nb201Cell candidate, IReadOnlyList<int> eliminated, Random random) =>
        _current.Rebuild(candidate, eliminated, random);
}
