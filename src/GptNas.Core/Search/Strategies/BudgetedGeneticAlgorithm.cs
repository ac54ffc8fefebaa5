namespace GptNas.Search.Strategies;

/// <summary>
/// The GPT-NAS genetic algorithm (<see cref="GeneticAlgorithm{T}"/>, run unchanged) on a budget. Every individual
/// the GA evaluates is one query; when the budget refuses a query the evaluation callback stops the GA at once
/// (the rest of that generation is never queried or bred from) and the result is the objective's incumbent, the
/// best candidate queried within budget. With <see cref="GeneticAlgorithmConfig.Reconstruct"/> false (or no
/// prior) it is the paper's "without GPT" ablation; with a prior, GPT-NAS.
/// </summary>
/// <remarks>
/// <see cref="GeneticAlgorithmConfig.Generations"/> should be at least what the budget can pay for, so that the
/// budget, not the generation count, ends the search; it also sets the elimination schedule's T (§5).
/// </remarks>
public sealed class BudgetedGeneticAlgorithm<T>(
    ISearchSpace<T> space,
    GeneticAlgorithmConfig config,
    ICandidatePrior<T>? prior,
    string name) : IBudgetedSearch<T> where T : notnull
{
    public string Name => name;

    public void Run(IBudgetedObjective<T> objective, Seeds seeds)
    {
        var algorithm = new GeneticAlgorithm<T>(space, config, prior, seeds);
        try
        {
            algorithm.Run(generation =>
            {
                var fitness = new double[generation.Count];
                for (var i = 0; i < generation.Count; i++)
                    if (!objective.TryQuery(generation[i].Candidate, out fitness[i])) throw new BudgetSpent();
                return fitness;
            });
        }
        catch (BudgetSpent) { } // the budget ended the search; the incumbent is in the objective
    }

    /// <summary>Unwinds <see cref="GeneticAlgorithm{T}.Run"/> without a hook in it; never leaves this class.</summary>
    private sealed class BudgetSpent : Exception;
}
