namespace GptNas.Search;

/// <summary>
/// A reconstruction prior that learns from the search itself: the genetic algorithm shows it every evaluated
/// individual after each generation, and it refits before the next generation is reconstructed.
/// </summary>
/// <remarks>Resumable by replay: a refit must depend only on the individuals shown, in order, and on seeds fixed at
/// construction, so a resumed study that replays the same told results rebuilds the same prior.</remarks>
public interface IAdaptivePrior<T> : ICandidatePrior<T> where T : notnull
{
    /// <summary>Every individual evaluated so far, in the order told (failed ones carry fitness 0).</summary>
    void Observe(IReadOnlyList<Individual<T>> evaluated);
}

/// <summary>What an adaptive prior trains on: the best evaluated individuals, weighted by rank.</summary>
public static class RankWeighting
{
    /// <summary>
    /// The <paramref name="topK"/> best candidates by fitness (earlier told first among equals), the i-th best (from 0)
    /// repeated <c>topK - i</c> times.
    /// </summary>
    public static IReadOnlyList<T> TopK<T>(IReadOnlyList<Individual<T>> evaluated, int topK) where T : notnull
    {
        if (topK < 1) throw new GptNasException($"the online prior's top-k is {topK}; it must be at least 1");
        var best = evaluated.Select((ind, order) => (ind, order)).OrderByDescending(x => x.ind.Fitness).ThenBy(x => x.order).Take(topK).ToList();
        return best.SelectMany((x, rank) => Enumerable.Repeat(x.ind.Candidate, topK - rank)).ToList();
    }
}
