namespace GptNas.Search.Strategies;

/// <summary>
/// Random search as NAS-Bench-201 ran it (<c>exps/algos/RANDOM.py</c>): uniform candidates, one per ask, until the
/// driver stops asking (a budget) or <paramref name="trials"/> have been asked; the result is the best told. No
/// de-duplication.
/// </summary>
/// <param name="trials">How many candidates to draw; null: until the driver stops.</param>
public sealed class RandomSearch<T>(ISearchSpace<T> space, Seeds seeds, int? trials = null) : ISearchStrategy<T> where T : notnull
{
    private readonly Random _random = seeds.Random("random-search");
    private readonly List<Individual<T>> _told = [];
    private Individual<T>? _asked;

    public int? PlannedTrials => trials;

    public SearchResult<T> Result => _told.Count == 0
        ? throw new InvalidOperationException("nothing has been told yet")
        : new SearchResult<T>(SearchResult<T>.BestOf(_told), _told, []);

    public IReadOnlyList<Individual<T>> Ask()
    {
        if (_asked is not null) throw new InvalidOperationException("the last candidate was asked and not yet told");
        if (_told.Count >= trials) return [];
        _asked = new Individual<T>(space.Sample(_random), 0, _told.Count, [], [SearchOperator.Sample], []);
        return [_asked];
    }

    public void Tell(IReadOnlyList<double> fitness)
    {
        var asked = _asked ?? throw new InvalidOperationException("nothing was asked");
        _told.Add(asked with { Fitness = fitness[0] });
        _asked = null;
    }
}
