namespace GptNas.Search.Strategies;

/// <summary>
/// Regularized (aging) evolution, Real et al. 2019, Algorithm 1, as NAS-Bench-201 ran it (<c>exps/algos/R_EA.py</c>,
/// <c>scripts-search/algos/R-EA.sh</c>: population 10, sample size 3, 12,000 s budget): fill the population, then
/// repeatedly draw <see cref="SampleSize"/> members with replacement, mutate the best of them (first one on ties),
/// evaluate the child, append it and drop the oldest member, until the driver stops asking.
/// </summary>
/// <remarks>
/// NOTE: NB201 queries the initial population without checking the budget (it only matters when the budget cannot
/// pay for 10 queries); here the budget may refuse an initial member too, which ends the search at once.
/// <paramref name="initial"/> replaces the random initial population (warm start): it gets the run's generator
/// and returns <see cref="Population"/> candidates.
/// </remarks>
public sealed class RegularizedEvolution<T> : ISearchStrategy<T> where T : notnull
{
    private readonly ISearchSpace<T> _space;
    private readonly Random _random;
    private readonly Func<Random, IReadOnlyList<T>>? _initial;
    private readonly Queue<Individual<T>> _members = new();
    private readonly List<Individual<T>> _told = [];
    private IReadOnlyList<Individual<T>>? _asked;

    public RegularizedEvolution(ISearchSpace<T> space, Seeds seeds, int population = 10, int sampleSize = 3, Func<Random, IReadOnlyList<T>>? initial = null)
    {
        if (population < 1 || sampleSize < 1) throw new GptNasException($"REA needs population and sample size of at least 1, got {population} and {sampleSize}");
        (_space, _initial, Population, SampleSize) = (space, initial, population, sampleSize);
        _random = seeds.Random("rea");
    }

    public int Population { get; }
    public int SampleSize { get; }
    public int? PlannedTrials => null;

    public SearchResult<T> Result => _told.Count == 0
        ? throw new InvalidOperationException("nothing has been told yet")
        : new SearchResult<T>(SearchResult<T>.BestOf(_told), _members.ToList(), []);

    public IReadOnlyList<Individual<T>> Ask()
    {
        if (_asked is not null) throw new InvalidOperationException("the last individuals were asked and not yet told");
        _asked = _told.Count == 0 ? Start() : [Child()];
        return _asked;
    }

    public void Tell(IReadOnlyList<double> fitness)
    {
        var asked = _asked ?? throw new InvalidOperationException("nothing was asked");
        for (var i = 0; i < asked.Count; i++)
        {
            var member = asked[i] with { Fitness = fitness[i] };
            _told.Add(member);
            _members.Enqueue(member);
            if (_members.Count > Population) _members.Dequeue();
        }
        _asked = null;
    }

    private List<Individual<T>> Start()
    {
        var start = _initial?.Invoke(_random) ?? Enumerable.Range(0, Population).Select(_ => _space.Sample(_random)).ToList();
        if (start.Count != Population) throw new GptNasException($"the REA warm start gave {start.Count} candidates for a population of {Population}");
        return start.Select((candidate, i) => new Individual<T>(candidate, 0, i, [], [SearchOperator.Sample], [])).ToList();
    }

    private Individual<T> Child()
    {
        var pool = _members.ToArray();
        var parent = pool[_random.Next(pool.Length)];
        for (var i = 1; i < SampleSize; i++)
        {
            var contender = pool[_random.Next(pool.Length)];
            if (contender.Fitness > parent.Fitness) parent = contender;
        }
        var (child, name) = _space.Mutate(parent.Candidate, _random);
        return new Individual<T>(child, 0, _told.Count, [parent.Id], [name], []);
    }
}
