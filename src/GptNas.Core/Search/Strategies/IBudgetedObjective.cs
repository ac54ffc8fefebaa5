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
