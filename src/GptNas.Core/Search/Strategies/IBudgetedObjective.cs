namespace GptNas.Search.Strategies;

/// <summary>
/// A black-box objective with a cost budget, as tabular NAS benchmarks simulate one: each query is charged a
/// cost, and the query that would take the spending past the budget is refused and ends the search (the rule of
/// NAS-Bench-201's RS and REA code). The objective, not the strategy, keeps the incumbent: the best-scoring
/// candidate queried within budget, which is what a budgeted search returns.
/// </summary>
public interface IBudgetedObjective<T> where T : notnull
{
    /// <summary>Scores <paramref name="candidate"/> and charges its cost.</summary>
    /// <returns>False when the budget cannot pay for this query: nothing is charged, the search must stop, and
    /// every later call returns false too.</returns>
    bool TryQuery(T candidate, out double fitness);
}

/// <summary>A search strategy that spends an <see cref="IBudgetedObjective{T}"/>'s budget.</summary>
/// <remarks>Implementations keep no state between runs; all randomness comes from <c>seeds</c>, so a run
/// depends only on its seeds, never on which thread runs it or what ran before.</remarks>
public interface IBudgetedSearch<T> where T : notnull
{
    /// <summary>The strategy's name in results, e.g. "rea".</summary>
    string Name { get; }

    /// <summary>Queries <paramref name="objective"/> until it refuses (or the strategy ends on its own).</summary>
    void Run(IBudgetedObjective<T> objective, Seeds seeds);
}
