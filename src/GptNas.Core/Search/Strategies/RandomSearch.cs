namespace GptNas.Search.Strategies;

/// <summary>
/// Random search as NAS-Bench-201 ran it (<c>exps/algos/RANDOM.py</c>): uniform candidates until the driver stops
/// asking (a budget) or <paramref name="trials"/> have been asked; the result is the best told. No de-duplication.
/// </summary>
/// <param name="trials">How many candidates to draw; null: until the driver stops.</param>
/// <param name="batch">
/// Candidates per ask, numbered as generations of this size (g0/i0..g0/i{batch-1}, g1/i0, ...), so that a study's
/// workers share them and a report draws random sampling per "generation" beside a GA of that population.
/// Null: one per ask, all in generation 0 (NAS-Bench-201's protocol).
/// </param>
public sealed class RandomSearch<T>(ISearchSpace<T> space, Seeds seeds, int? trials = null, int? batch = null) : ISearchStrategy<T> where T : notnull
{
    private readonly Random _random = seeds.Random("random-search");
    private readonly List<Individual<T>> _told = [];
    private readonly List<GenerationSummary> _history = [];
    private List<Individual<T>>? _asked;

    public int? PlannedTrials => trials;

    public SearchResult<T> Result => _told.Count == 0
        ? throw new InvalidOperationException("nothing has been told yet")
        : new SearchResult<T>(SearchResult<T>.BestOf(_told), _told, _history);

    public IReadOnlyList<Individual<T>> Ask()
    {
        if (_asked is not null) throw new InvalidOperationException("the last candidates were asked and not yet told");
        var count = Math.Min(batch ?? 1, (trials ?? int.MaxValue) - _told.Count);
        if (count <= 0) return [];
        _asked = Enumerable.Range(0, count)
            .Select(i => batch is { } size
                ? new Individual<T>(space.Sample(_random), _told.Count / size, i, [], [SearchOperator.Sample], [])
                : new Individual<T>(space.Sample(_random), 0, _told.Count, [], [SearchOperator.Sample], []))
            .ToList();
        return _asked;
    }

    public void Tell(IReadOnlyList<double> fitness)
    {
        var asked = _asked ?? throw new InvalidOperationException("nothing was asked");
        if (fitness.Count != asked.Count) throw new InvalidOperationException($"told {fitness.Count} fitness values for {asked.Count} candidates");
        // A failed evaluation (NaN) scores 0, as in the GA, so it is never the best.
        _told.AddRange(asked.Select((ind, i) => ind with { Fitness = double.IsFinite(fitness[i]) ? fitness[i] : 0 }));
        if (batch is not null)
        {
            var best = SearchResult<T>.BestOf(_told);
            _history.Add(new GenerationSummary(asked[0].Generation, best.Fitness, asked.Average(ind => ind.Fitness), best.Id));
        }
        _asked = null;
    }
}
