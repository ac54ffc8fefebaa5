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
