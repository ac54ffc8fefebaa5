namespace GptNas.Search;

/// <summary>
/// GPT-NAS §5: the share of genes eliminated and rebuilt at generation t of T falls linearly,
/// rate_t = rate_0 * (1 - t / T), with rate_0 = 0.4 (the paper's ablation: 0.4 beat 0.2, 0.6 and 0.8).
/// </summary>
public sealed record EliminationSchedule(double InitialRate = 0.4)
{
    public double RateAt(int generation, int generations) =>
        generations <= 0 ? InitialRate : InitialRate * Math.Max(0, 1 - (double)generation / generations);

    /// <summary>Each gene is eliminated independently with the generation's rate (§5's default reading).</summary>
    public IReadOnlyList<int> Choose(int genes, int generation, int generations, Random random)
    {
        var rate = RateAt(generation, generations);
        var chosen = new List<int>();
        for (var gene = 0; gene < genes; gene++)
            if (random.NextDouble() < rate) chosen.Add(gene);
        return chosen;
    }
}
