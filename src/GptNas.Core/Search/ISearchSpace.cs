namespace GptNas.Search;

/// <summary>
/// What the genetic algorithm needs from a search space: sample, vary and encode candidates. Every
/// candidate a space returns is valid; the GA and reconstruction run unchanged on any space (the GPT-NAS
/// block space, NAS-Bench-201 cells).
/// </summary>
/// <typeparam name="T">The candidate type, immutable.</typeparam>
public interface ISearchSpace<T> where T : notnull
{
    string Name { get; }

    /// <summary>A random valid candidate.</summary>
    T Sample(Random random);

    /// <summary>One-point crossover (GPT-NAS §6); both children valid.</summary>
    (T First, T Second) Crossover(T first, T second, Random random);

    /// <summary>One mutation chosen by roulette among the space's operators; returns the operator's name.</summary>
    (T Child, SearchOperator Operator) Mutate(T parent, Random random);

    /// <summary>Units that reconstruction may eliminate and rebuild (blocks after the stem; cell edges).</summary>
    int GeneCount(T candidate);

    /// <summary>Canonical text; <see cref="Decode"/> of it gives back an equal candidate.</summary>
    string Encode(T candidate);
    T Decode(string text);

    /// <summary>Content hash: equal for equal candidates; the key for duplicates and trial records.</summary>
    string Hash(T candidate);
}

/// <summary>
/// GPT-NAS reconstruction (§5) as the search sees it: given a candidate and the genes eliminated from it,
/// rebuild them in order from the prior's knowledge of what comes next, and repair the rest.
/// </summary>
public interface ICandidatePrior<T> where T : notnull
{
    Reconstruction<T> Rebuild(T candidate, IReadOnlyList<int> eliminated, Random random);
}

/// <summary>What a reconstruction made: the rebuilt candidate, the gene positions the prior predicted (empty when the
/// rebuild was discarded), and counts of how the prior's proposals reached it (stored with the trial; see <see cref="Trials.TrialMetrics"/>).</summary>
public sealed record Reconstruction<T>(T Candidate, IReadOnlyList<int> Predicted, IReadOnlyDictionary<string, double> Counts) where T : notnull
{
    public Reconstruction(T candidate, IReadOnlyList<int> predicted) : this(candidate, predicted, new Dictionary<string, double>()) { }

    public void Deconstruct(out T candidate, out IReadOnlyList<int> predicted) => (candidate, predicted) = (Candidate, Predicted);
}
