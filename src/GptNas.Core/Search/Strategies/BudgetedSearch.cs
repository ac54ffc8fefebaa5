namespace GptNas.Search.Strategies;

/// <summary>Drives a strategy against an <see cref="IBudgetedObjective{T}"/> until the budget refuses a query or the strategy finishes.</summary>
public static class BudgetedSearch
{
    /// <remarks>A refused query ends the search at once: the rest of that batch is never queried, nothing more is
    /// told, and the result is the objective's incumbent, the best candidate queried within budget.</remarks>
    public static void Spend<T>(ISearchStrategy<T> strategy, IBudgetedObjective<T> objective) where T : notnull
    {
        while (strategy.Ask() is { Count: > 0 } batch)
        {
            var fitness = new double[batch.Count];
            for (var i = 0; i < batch.Count; i++)
                if (!objective.TryQuery(batch[i].Candidate, out fitness[i])) return;
            strategy.Tell(fitness);
        }
    }
}
