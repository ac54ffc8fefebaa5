namespace GptNas.Search;

/// <summary>
/// A search strategy as its driver sees it (ask and tell, as Optuna's and NNI's strategies are driven): it
/// proposes individuals, reads their fitness, and says it is done by proposing none. The driver decides how
/// evaluations run (a study with workers, a tabular benchmark) and may stop asking at any time, for example
/// when a budget is spent.
/// </summary>
/// <remarks>Deterministic for its seeds: the same fitness values told give the same individuals asked.</remarks>
public interface ISearchStrategy<T> where T : notnull
{
    /// <summary>The next individuals to evaluate; empty once the strategy has finished.</summary>
    /// <exception cref="InvalidOperationException">The last individuals asked have not been told yet.</exception>
    IReadOnlyList<Individual<T>> Ask();

    /// <summary>The fitness of each individual of the last <see cref="Ask"/>, in order; NaN where its evaluation failed.</summary>
    void Tell(IReadOnlyList<double> fitness);

    /// <summary>The best individual told so far, the current population and the per-generation history.</summary>
    SearchResult<T> Result { get; }

    /// <summary>How many individuals the strategy will ask for in all, where it knows (progress displays); null when open-ended.</summary>
    int? PlannedTrials { get; }
}
