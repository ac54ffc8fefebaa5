namespace GptNas.Search;

/// <summary>What one evaluation measured. Fitness is the number the search maximizes (GPT-NAS §7: validation top-1).</summary>
public sealed record EvaluationResult(double Fitness, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// Scores a candidate: a proxy training (block space) or a table lookup (NAS-Bench-201). Throws to fail the
/// trial (the search goes on); honours <paramref name="cancellation"/>, which also carries the trial's time limit.
/// </summary>
public interface IEvaluator<T> where T : notnull
{
    EvaluationResult Evaluate(Individual<T> individual, int seed, CancellationToken cancellation);

    /// <summary>What an evaluation of this candidate trains, as a key: two trials with the same key score the same, so the
    /// second reuses the first's result. By default the candidate's hash.</summary>
    string TrainingKey(string hash, IReadOnlyList<int> predicted) => hash;
}
