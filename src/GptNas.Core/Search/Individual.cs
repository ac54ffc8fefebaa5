namespace GptNas.Search;

/// <summary>
/// A candidate as the GA made it: where it came from (parents by id, the operators applied) and which
/// genes the prior rebuilt. Fitness is filled in after evaluation.
/// </summary>
public sealed record Individual<T>(
    T Candidate,
    int Generation,
    int Index,
    IReadOnlyList<string> Parents,
    IReadOnlyList<SearchOperator> Operators,
    IReadOnlyList<int> Predicted)
{
    /// <summary>"g3/i7": generation 3, index 7. Stable across runs with the same seed.</summary>
    public string Id => $"g{Generation}/i{Index}";
    public double Fitness { get; init; }
    /// <summary>How the prior's proposals reached this candidate (see <see cref="Reconstruction{T}.Counts"/>); empty without reconstruction.</summary>
    public IReadOnlyDictionary<string, double> PriorCounts { get; init; } = new Dictionary<string, double>();
    /// <summary>Fidelity of its evaluation under successive halving: 0 the lowest (and the only one without halving).</summary>
    public int Rung { get; init; }
}

/// <summary>The best and mean fitness of one generation's survivors.</summary>
public sealed record GenerationSummary(int Generation, double BestFitness, double MeanFitness, string BestId);

public sealed record SearchResult<T>(Individual<T> Best, IReadOnlyList<Individual<T>> Population, IReadOnlyList<GenerationSummary> History)
{
    /// <summary>The fittest; ties go to the earlier individual, so the choice never depends on list order quirks.</summary>
    public static Individual<T> BestOf(IEnumerable<Individual<T>> individuals) =>
        individuals.OrderByDescending(ind => ind.Fitness).ThenBy(ind => ind.Generation).ThenBy(ind => ind.Index).First();
}
