namespace GptNas.Search;

/// <summary>How the GA's environmental selection picks the survivors after the best (§6).</summary>
public enum EnvironmentalSelection
{
    /// <summary>Roulette on fitness, without replacement: near-uniform when the fitness values are close.</summary>
    Roulette,
    /// <summary>Binary tournaments without replacement, as CNN-GA's environmental selection: the fitter of two survives.</summary>
    Tournament,
}

/// <summary>The GA of GPT-NAS §6. Defaults are the paper's.</summary>
public sealed record GeneticAlgorithmConfig
{
    /// <summary>Individuals per generation (paper: 30).</summary>
    public int Population { get; init; } = 30;
    /// <summary>Generations after the initial population (paper: 20).</summary>
    public int Generations { get; init; } = 20;
    /// <summary>Chance that two parents are crossed over rather than copied (paper: 0.9).</summary>
    public double CrossoverProbability { get; init; } = 0.9;
    /// <summary>Chance that a child is mutated (paper: 0.3).</summary>
    public double MutationProbability { get; init; } = 0.3;
    /// <summary>rate_0 of the elimination schedule (§5: 0.4).</summary>
    public double EliminationRate { get; init; } = 0.4;
    /// <summary>False: the "--no-gpt" ablation; the same code path with reconstruction skipped.</summary>
    public bool Reconstruct { get; init; } = true;
    /// <summary>
    /// Reconstruction keeps the candidate's number of down-sampling blocks: the predictor chooses which of the rebuilt
    /// positions down-sample, and only as many as the eliminated blocks did. False: each rebuilt block down-samples as
    /// predicted, within the space's limit, so that a population rebuilt again and again drifts to fewer down-samplings
    /// (README, <i>Reconstruction and the resolution schedule</i>).
    /// </summary>
    public bool KeepDownsamples { get; init; } = true;
    /// <summary>How the survivors after the best are chosen from parents plus offspring.</summary>
    public EnvironmentalSelection Selection { get; init; } = EnvironmentalSelection.Roulette;
    /// <summary>
    /// True: an offspring that repeats an architecture the search has already evaluated, or one of its generation, is mutated
    /// (and rebuilt) again until it is new, up to <see cref="GeneticAlgorithm{T}.NovelAttempts"/> times, so that every trial
    /// of a converging population trains an architecture instead of reusing a score. False (the paper's): repeats are kept.
    /// </summary>
    public bool NovelOffspring { get; init; }

    /// <summary>Refuses a GA that cannot run; keys are <c>ga.*</c>.</summary>
    public void Validate(Config.SettingsCheck check)
    {
        check.AtLeast(Population, "ga.population", 2);
        check.AtLeast(Generations, "ga.generations", 0);
        check.Range(CrossoverProbability, "ga.crossover_probability", 0, 1);
        check.Range(MutationProbability, "ga.mutation_probability", 0, 1);
        check.Range(EliminationRate, "ga.elimination_rate", 0, 1);
    }

    /// <summary>Individuals the GA evaluates in all: the initial population and each generation's offspring (a method, so
    /// that it is not a setting in the stored config).</summary>
    public int Trials() => Population * (Generations + 1);
}
