namespace GptNas.Search;

/// <summary>
/// The genetic algorithm of GPT-NAS §6 with the reconstruction of §5, over any <see cref="ISearchSpace{T}"/>:
/// binary tournament selection, one-point crossover, roulette-chosen mutation, reconstruction of every new
/// individual (initial population included) before evaluation, and environmental selection by roulette on
/// fitness with elitism.
/// </summary>
/// <remarks>
/// Deterministic for a seed: all GA draws come from one generator and each individual's reconstruction from
/// its own (derived from its id), so evaluation order, timing or a resumed process never change the
/// search. Evaluation is the caller's: <c>evaluate</c> gets a whole generation (which workers may share)
/// and returns one fitness per individual.
/// </remarks>
public sealed class GeneticAlgorithm<T>(ISearchSpace<T> space, GeneticAlgorithmConfig config, ICandidatePrior<T>? prior, Seeds seeds)
    where T : notnull
{
    private readonly EliminationSchedule _schedule = new(config.EliminationRate);

    public delegate IReadOnlyList<double> GenerationEvaluator(IReadOnlyList<Individual<T>> individuals);

    public SearchResult<T> Run(GenerationEvaluator evaluate, Action<GenerationSummary>? onGeneration = null)
    {
        if (config.Population < 2) throw new GptNasException($"population must be at least 2, got {config.Population}");
        var random = seeds.Random("ga");
        var initial = Enumerable.Range(0, config.Population)
            .Select(i => Reconstructed(new Individual<T>(space.Sample(random), 0, i, [], ["sample"], []))).ToList();
        var population = Evaluated(initial, evaluate);
        var history = new List<GenerationSummary> { Summarize(0, population) };
        onGeneration?.Invoke(history[^1]);
        for (var generation = 1; generation <= config.Generations; generation++)
        {
            var offspring = Breed(population, generation, random).Select(Reconstructed).ToList();
            population = Select(population.Concat(Evaluated(offspring, evaluate)).ToList(), random);
            history.Add(Summarize(generation, population));
            onGeneration?.Invoke(history[^1]);
        }
        return new SearchResult<T>(Best(population), population, history);
    }

    private List<Individual<T>> Breed(List<Individual<T>> parents, int generation, Random random)
    {
        var children = new List<Individual<T>>();
        while (children.Count < config.Population)
        {
            var (a, b) = (Tournament(parents, random), Tournament(parents, random));
            var (first, second) = (a.Candidate, b.Candidate);
            var operators = new List<string>();
            if (random.NextDouble() < config.CrossoverProbability)
            {
                (first, second) = space.Crossover(first, second, random);
                operators.Add("crossover");
            }
            foreach (var child in new[] { first, second })
            {
                if (children.Count == config.Population) break;
                var applied = new List<string>(operators);
                var candidate = child;
                if (random.NextDouble() < config.MutationProbability)
                {
                    (candidate, var name) = space.Mutate(candidate, random);
                    applied.Add(name);
                }
                if (applied.Count == 0) applied.Add("copy");
                children.Add(new Individual<T>(candidate, generation, children.Count, [a.Id, b.Id], applied, []));
            }
        }
        return children;
    }

    /// <summary>§5: eliminate genes at this generation's rate and let the prior rebuild them (skipped in the ablation).</summary>
    private Individual<T> Reconstructed(Individual<T> individual)
    {
        if (!config.Reconstruct || prior is null) return individual;
        var random = seeds.Random($"reconstruct/{individual.Id}");
        var eliminated = _schedule.Choose(space.GeneCount(individual.Candidate), individual.Generation, config.Generations, random);
        if (eliminated.Count == 0) return individual;
        var (candidate, predicted) = prior.Rebuild(individual.Candidate, eliminated, random);
        return individual with { Candidate = candidate, Predicted = predicted, Operators = [.. individual.Operators, "reconstruct"] };
    }

    private static List<Individual<T>> Evaluated(List<Individual<T>> individuals, GenerationEvaluator evaluate)
    {
        var fitness = evaluate(individuals);
        if (fitness.Count != individuals.Count) throw new InvalidOperationException("the evaluator must return one fitness per individual");
        // A failed evaluation (NaN) scores 0 so it dies out instead of poisoning the roulette.
        return individuals.Select((ind, i) => ind with { Fitness = double.IsFinite(fitness[i]) ? Math.Max(0, fitness[i]) : 0 }).ToList();
    }

    private static Individual<T> Tournament(List<Individual<T>> population, Random random)
    {
        var a = population[random.Next(population.Count)];
        var b = population[random.Next(population.Count)];
        return b.Fitness > a.Fitness ? b : a;
    }

    /// <summary>Environmental selection (§6): the best always survives; the rest by roulette on fitness, without replacement.</summary>
    private List<Individual<T>> Select(List<Individual<T>> pool, Random random)
    {
        var best = Best(pool);
        var survivors = new List<Individual<T>> { best };
        var remaining = pool.Where(ind => !ReferenceEquals(ind, best)).ToList();
        while (survivors.Count < config.Population && remaining.Count > 0)
        {
            var total = remaining.Sum(ind => ind.Fitness);
            var pick = remaining.Count - 1;
            if (total > 0)
            {
                var target = random.NextDouble() * total;
                for (var i = 0; i < remaining.Count; i++)
                {
                    target -= remaining[i].Fitness;
                    if (target < 0) { pick = i; break; }
                }
            }
            else pick = random.Next(remaining.Count);
            survivors.Add(remaining[pick]);
            remaining.RemoveAt(pick);
        }
        return survivors;
    }

    // Ties go to the earlier individual, so the choice never depends on list order quirks.
    private static Individual<T> Best(IEnumerable<Individual<T>> population) =>
        population.OrderByDescending(ind => ind.Fitness).ThenBy(ind => ind.Generation).ThenBy(ind => ind.Index).First();

    private static GenerationSummary Summarize(int generation, List<Individual<T>> population)
    {
        var best = Best(population);
        return new GenerationSummary(generation, best.Fitness, population.Average(ind => ind.Fitness), best.Id);
    }
}
