namespace GptNas.Search.Strategies;

/// <summary>
/// Random search as NAS-Bench-201 ran it (<c>exps/algos/RANDOM.py</c>): draw uniform candidates and query each
/// until the budget refuses one; the result is the best queried (the objective's incumbent). No de-duplication.
/// </summary>
public sealed class RandomSearch<T>(ISearchSpace<T> space, string name = "rs") : IBudgetedSearch<T> where T : notnull
{
    public string Name => name;

    public void Run(IBudgetedObjective<T> objective, Seeds seeds)
    {
        var random = seeds.Random("random-search");
        while (objective.TryQuery(space.Sample(random), out _)) { }
    }
}
