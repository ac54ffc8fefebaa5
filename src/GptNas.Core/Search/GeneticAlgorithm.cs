namespace GptNas.Search;

/// <summary>
/// The genetic algorithm of GPT-NAS §6 with the reconstruction of §5, over any <see cref="ISearchSpace{T}"/>:
/// binary tournament selection, one-point crossover, roulette-chosen mutation, reconstruction of every new
/// individual (initial population included) before evaluation, and environmental selection with elitism (by
/// roulette on fitness, or by binary tournaments: <see cref="GeneticAlgorithmConfig.Selection"/>).
/// </summary>
/// <remarks>
/// Deterministic for a seed: all GA draws come from one generator and each individual's reconstruction from
/// its own (derived from its id), so evaluation order, timing or a resumed process never change the
/// search. Each <see cref="Ask"/> is one generation (the initial population, then each generation's offspring),
/// which the driver evaluates as it likes (workers may share it) and tells back.
/// </remarks>
public sealed class GeneticAlgorithm<T> : ISearchStrategy<T> where T : notnull
{
    private readonly ISearchSpace<T> _space;
    private readonly GeneticAlgorithmConfig _config;
    private readonly ICandidatePrior<T>? _prior;
    private readonly Seeds _seeds;
    private readonly EliminationSchedule _schedule;
    private readonly Random _random;
    private readonly List<GenerationSummary> _history = [];
    private readonly List<Individual<T>> _evaluated = [];
    /// <summary>Hashes of every individual asked so far, kept only under <see cref="GeneticAlgorithmConfig.NovelOffspring"/>.</summary>
    private readonly HashSet<string> _seen = [];
    private List<Individual<T>> _population = [];
    private List<Individual<T>>? _asked;
    private int _generation;

    public GeneticAlgorithm(ISearchSpace<T> space, GeneticAlgorithmConfig config, ICandidatePrior<T>? prior, Seeds seeds)
    {
        if (config.Population < 2) throw new GptNasException($"population must be at least 2, got {config.Population}");
        (_space, _config, _prior, _seeds) = (space, config, prior, seeds);
        _schedule = new EliminationSchedule(config.EliminationRate);
        _random = seeds.Random("ga");
    }

    /// <summary>How many times an offspring that repeats an earlier architecture is varied again under <see cref="GeneticAlgorithmConfig.NovelOffspring"/>.</summary>
    public const int NovelAttempts = 10;

    public int? PlannedTrials => _config.Trials();

    public SearchResult<T> Result => _population.Count == 0
        ? throw new InvalidOperationException("no generation has been told yet")
        : new SearchResult<T>(Best(_population), _population, _history);

    public IReadOnlyList<Individual<T>> Ask()
    {
        if (_asked is not null) throw new InvalidOperationException($"generation {_generation} was asked and not yet told");
        if (_generation > _config.Generations) return [];
        _asked = _generation == 0
            ? Enumerable.Range(0, _config.Population).Select(i => Reconstructed(new Individual<T>(_space.Sample(_random), 0, i, [], [SearchOperator.Sample], []))).ToList()
            : Offspring(_generation);
        if (_config.NovelOffspring && _generation == 0) _seen.UnionWith(_asked.Select(ind => _space.Hash(ind.Candidate)));
        return _asked;
    }

    private List<Individual<T>> Offspring(int generation)
    {
        var children = Breed(_population, generation, _random).Select(ind => Reconstructed(ind)).ToList();
        if (!_config.NovelOffspring) return children;
        for (var i = 0; i < children.Count; i++)
        {
            for (var attempt = 1; attempt <= NovelAttempts && _seen.Contains(_space.Hash(children[i].Candidate)); attempt++)
            {
                var (mutated, name) = _space.Mutate(children[i].Candidate, _random);
                // What the prior predicted belongs to the repeat; the mutated child is rebuilt from its own stream.
                children[i] = Reconstructed(children[i] with { Candidate = mutated, Operators = [.. children[i].Operators, name], Predicted = [], PriorCounts = new Dictionary<string, double>() }, attempt);
            }
            _seen.Add(_space.Hash(children[i].Candidate));
        }
        return children;
    }

    public void Tell(IReadOnlyList<double> fitness)
    {
        var asked = _asked ?? throw new InvalidOperationException("nothing was asked");
        var evaluated = Evaluated(asked, fitness);
        _evaluated.AddRange(evaluated);
        if (_config.Reconstruct && _prior is IAdaptivePrior<T> adaptive) adaptive.Observe(_evaluated);
        _population = _generation == 0 ? evaluated : Select(_population.Concat(evaluated).ToList(), _random);
        _history.Add(Summarize(_generation, _population));
        _asked = null;
        _generation++;
    }

    private List<Individual<T>> Breed(List<Individual<T>> parents, int generation, Random random)
    {
        var children = new List<Individual<T>>();
        while (children.Count < _config.Population)
        {
            var (a, b) = (Tournament(parents, random), Tournament(parents, random));
            var (first, second) = (a.Candidate, b.Candidate);
            var operators = new List<SearchOperator>();
            if (random.NextDouble() < _config.CrossoverProbability)
            {
                (first, second) = _space.Crossover(first, second, random);
                operators.Add(SearchOperator.Crossover);
            }
            foreach (var child in new[] { first, second })
            {
                if (children.Count == _config.Population) break;
                var applied = new List<SearchOperator>(operators);
                var candidate = child;
                if (random.NextDouble() < _config.MutationProbability)
                {
                    (candidate, var name) = _space.Mutate(candidate, random);
                    applied.Add(name);
                }
                if (applied.Count == 0) applied.Add(SearchOperator.Copy);
                children.Add(new Individual<T>(candidate, generation, children.Count, [a.Id, b.Id], applied, []));
            }
        }
        return children;
    }

    /// <summary>§5: eliminate genes at this generation's rate and let the prior rebuild them (skipped in the ablation).</summary>
    private Individual<T> Reconstructed(Individual<T> individual, int attempt = 0)
    {
        if (!_config.Reconstruct || _prior is null) return individual;
        var random = _seeds.Random(attempt == 0 ? $"reconstruct/{individual.Id}" : $"reconstruct/{individual.Id}/{attempt}");
        var eliminated = _schedule.Choose(_space.GeneCount(individual.Candidate), individual.Generation, _config.Generations, random);
        if (eliminated.Count == 0) return individual;
        var rebuilt = _prior.Rebuild(individual.Candidate, eliminated, random);
        // A discarded rebuild (nothing predicted) leaves the candidate as it was: not tagged as reconstructed.
        return rebuilt.Predicted.Count == 0
            ? individual with { PriorCounts = rebuilt.Counts }
            : individual with { Candidate = rebuilt.Candidate, Predicted = rebuilt.Predicted, PriorCounts = rebuilt.Counts, Operators = [.. individual.Operators, SearchOperator.Reconstruct] };
    }

    private static List<Individual<T>> Evaluated(List<Individual<T>> individuals, IReadOnlyList<double> fitness)
    {
        if (fitness.Count != individuals.Count) throw new InvalidOperationException($"told {fitness.Count} fitness values for {individuals.Count} individuals");
        // A failed evaluation (NaN) scores 0 so it dies out instead of poisoning the roulette.
        return individuals.Select((ind, i) => ind with { Fitness = double.IsFinite(fitness[i]) ? Math.Max(0, fitness[i]) : 0 }).ToList();
    }

    private static Individual<T> Tournament(List<Individual<T>> population, Random random)
    {
        var a = population[random.Next(population.Count)];
        var b = population[random.Next(population.Count)];
        return b.Fitness > a.Fitness ? b : a;
    }

    /// <summary>Environmental selection (§6): the best always survives; the rest are drawn without replacement.</summary>
    private List<Individual<T>> Select(List<Individual<T>> pool, Random random)
    {
        var best = Best(pool);
        var survivors = new List<Individual<T>> { best };
        var remaining = pool.Where(ind => !ReferenceEquals(ind, best)).ToList();
        while (survivors.Count < _config.Population && remaining.Count > 0)
        {
            var pick = _config.Selection == EnvironmentalSelection.Tournament ? TournamentPick(remaining, random) : RoulettePick(remaining, random);
            survivors.Add(remaining[pick]);
            remaining.RemoveAt(pick);
        }
        return survivors;
    }

    private static int RoulettePick(List<Individual<T>> remaining, Random random)
    {
        var total = remaining.Sum(ind => ind.Fitness);
        if (total <= 0) return random.Next(remaining.Count);
        var target = random.NextDouble() * total;
        for (var i = 0; i < remaining.Count; i++)
        {
            target -= remaining[i].Fitness;
            if (target < 0) return i;
        }
        return remaining.Count - 1;
    }

    /// <summary>The fitter of two distinct individuals drawn at random (the first on a tie).</summary>
    private static int TournamentPick(List<Individual<T>> remaining, Random random)
    {
        if (remaining.Count == 1) return 0;
        var a = random.Next(remaining.Count);
        var b = random.Next(remaining.Count - 1);
        if (b >= a) b++;
        return remaining[b].Fitness > remaining[a].Fitness ? b : a;
    }

    private static Individual<T> Best(IEnumerable<Individual<T>> population) => SearchResult<T>.BestOf(population);

    private static GenerationSummary Summarize(int generation, List<Individual<T>> population)
    {
        var best = Best(population);
        return new GenerationSummary(generation, best.Fitness, population.Average(ind => ind.Fitness), best.Id);
    }
}
