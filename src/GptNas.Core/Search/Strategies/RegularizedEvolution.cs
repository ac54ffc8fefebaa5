namespace GptNas.Search.Strategies;

/// <summary>
/// Regularized (aging) evolution, Real et al. 2019, Algorithm 1, as NAS-Bench-201 ran it (<c>exps/algos/R_EA.py</c>,
/// <c>scripts-search/algos/R-EA.sh</c>: population 10, sample size 3, 12,000 s budget): fill the population, then
/// repeatedly draw <see cref="SampleSize"/> members with replacement, mutate the best of them (first one on ties),
/// query the child, append it and drop the oldest member, until the budget refuses a child.
/// </summary>
/// <remarks>
/// NOTE: NB201 queries the initial population without checking the budget (it only matters when the budget cannot
/// pay for 10 queries); here the budget may refuse an initial member too, which ends the search at once.
/// <paramref name="initial"/> replaces the random initial population (warm start): it gets the run's generator
/// and returns <see cref="Population"/> candidates.
/// </remarks>
public sealed class RegularizedEvolution<T>(
    ISearchSpace<T> space,
    int population = 10,
    int sampleSize = 3,
    Func<Random, IReadOnlyList<T>>? initial = null,
    string name = "rea") : IBudgetedSearch<T> where T : notnull
{
    public string Name => name;
    public int Population => population;
    public int SampleSize => sampleSize;

    public void Run(IBudgetedObjective<T> objective, Seeds seeds)
    {
        if (population < 1 || sampleSize < 1) throw new GptNasException($"REA needs population and sample size of at least 1, got {population} and {sampleSize}");
        var random = seeds.Random("rea");
        var members = new Queue<(T Candidate, double Fitness)>();
        var start = initial?.Invoke(random) ?? Enumerable.Range(0, population).Select(_ => space.Sample(random)).ToList();
        if (start.Count != population) throw new GptNasException($"the REA warm start gave {start.Count} candidates for a population of {population}");
        foreach (var candidate in start)
        {
            if (!objective.TryQuery(candidate, out var fitness)) return;
            members.Enqueue((candidate, fitness));
        }
        while (true)
        {
            var pool = members.ToArray();
            var parent = pool[random.Next(pool.Length)];
            for (var i = 1; i < sampleSize; i++)
            {
                var contender = pool[random.Next(pool.Length)];
                if (contender.Fitness > parent.Fitness) parent = contender;
            }
            var (child, _) = space.Mutate(parent.Candidate, random);
            if (!objective.TryQuery(child, out var childFitness)) return;
            members.Enqueue((child, childFitness));
            members.Dequeue();
        }
    }
}
