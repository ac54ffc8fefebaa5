using GptNas.Runs;
using GptNas.Search;
using GptNas.Training;
using GptNas.Trials;

namespace GptNas.Reports;

/// <summary>One search run as a report sees it: its settings, its trials, its final training and, once <c>gptnas evaluate</c> ran, its model's evaluation.</summary>
public sealed record RunSummary(
    string Folder,
    string Name,
    bool Reconstructs,
    SearchStrategyKind Strategy,
    int Seed,
    string Data,
    IReadOnlyList<TrialRecord> Trials,
    TrainedModel? Final,
    int? Classes = null,
    ModelEvaluation? Evaluation = null,
    bool UniformRebuild = false,
    int ProxyEpochs = 0)
{
    /// <summary>The GA rebuilt its candidates with the GPT (not the uniform control, not random sampling).</summary>
    public bool WithGpt => Strategy == SearchStrategyKind.Ga && Reconstructs && !UniformRebuild;

    /// <summary>Top-5 says something only with more than 5 classes (with 5 or fewer it is always 100 %).</summary>
    public double? FinalTop5 => Classes is null or > 5 ? Final?.TestTop5 : null;

    public string Group => GroupOrder switch { 0 => "GPT-NAS", 1 => "uniform rebuild", 2 => "without GPT", _ => "random sampling" };

    /// <summary>Where the run's group stands in tables and which colour it has: GPT-NAS, uniform rebuild, without GPT, random sampling.</summary>
    public int GroupOrder => Strategy == SearchStrategyKind.Random ? 3 : !Reconstructs ? 2 : UniformRebuild ? 1 : 0;

    /// <summary>Best proxy fitness among the trials of generations 0..g, for each g.</summary>
    public IReadOnlyList<double> BestFitnessByGeneration()
    {
        var best = double.NaN;
        return Trials.GroupBy(t => t.Generation).OrderBy(g => g.Key).Select(g =>
        {
            foreach (var trial in g.Where(t => t.State == TrialState.Complete && t.Fitness is not null))
                if (double.IsNaN(best) || trial.Fitness!.Value > best) best = trial.Fitness!.Value;
            return best;
        }).ToList();
    }

    public double? BestFitness => Trials.Where(t => t.State == TrialState.Complete).Select(t => t.Fitness).Max();

    /// <summary>
    /// How many different architectures the run's trials hold: a GA whose population has converged asks for the same
    /// candidates again (each one counts as a trial, its result reused), so this is how much of the budget explored.
    /// </summary>
    public int DistinctArchitectures => Trials.Select(t => t.Hash).Distinct().Count();

    /// <summary>Seconds the trials took as recorded with them: the search's cost on this machine under its load.</summary>
    public double TrialSeconds => Trials.Sum(t => t.Metrics.GetValueOrDefault(TrialMetrics.Seconds));

    /// <summary>
    /// The proxies' training compute in forward multiply-adds (each trained trial's multiply-adds per image x its proxy
    /// images x the proxy's epochs; a reused duplicate trains nothing): the search's cost as no machine's load changes it,
    /// so that strategies compare at equal cost where their trial seconds were measured beside other work.
    /// </summary>
    public double ProxyMultiplyAdds => Trials.Where(t => t.Metrics.GetValueOrDefault(TrialMetrics.Duplicate) == 0)
        .Sum(t => t.Metrics.GetValueOrDefault(TrialMetrics.Flops) * t.Metrics.GetValueOrDefault(TrialMetrics.ProxyImages)) * ProxyEpochs;

    /// <summary>How often each block kind occurs in the run's distinct architectures (stem excluded): what the search proposed.</summary>
    public IReadOnlyDictionary<Architectures.BlockKind, int> BlockKinds() =>
        DistinctCandidates().SelectMany(a => a.Blocks).CountBy(b => b.Kind).ToDictionary();

    /// <summary>
    /// The mean number of down-sampling blocks in the run's distinct architectures: the resolution schedule the search
    /// explored (the space samples as many as its limit allows; reconstruction keeps a candidate's unless told not to).
    /// </summary>
    public double MeanDownsamples => DistinctCandidates().Select(a => (double)a.Downsamples()).DefaultIfEmpty(double.NaN).Average();

    /// <summary>The run's distinct architectures, parsed from its trials.</summary>
    private IEnumerable<Architectures.Architecture> DistinctCandidates() =>
        Trials.DistinctBy(t => t.Hash).Where(t => t.Candidate.Length > 0).Select(t => Architectures.Architecture.Parse(t.Candidate));

    /// <summary>The first generation whose trials reached <see cref="BestFitness"/>; null when no trial completed.</summary>
    public int? GenerationOfBest => BestFitness is { } best
        ? Trials.Where(t => t.State == TrialState.Complete && t.Fitness == best).Min(t => t.Generation)
        : null;

    /// <summary>
    /// Whether a generation after generation 1 raised the best fitness above what generations 0 and 1 had found: the
    /// sign that selection climbs rather than keeping an early lucky draw. Random sampling numbers its draws in
    /// generations of the GA's population, so its share is the baseline (with equal draws per generation, the best of
    /// all lies after generation 1 by chance alone in (G - 2) / G of runs).
    /// </summary>
    public bool? ImprovedAfterGeneration1 => GenerationOfBest is null ? null : GenerationOfBest > 1;

    /// <summary>How the prior's proposals reached the candidates, summed over the run's trials.</summary>
    public ReconstructionSummary Reconstruction => ReconstructionSummary.Of(Trials);

    /// <summary>A run from its folder (its config, where it has one) and its study as read from the store.</summary>
    public static RunSummary Of(RunFolder folder, StudyRecord study, IReadOnlyList<TrialRecord> trials, TrainedModel? final)
    {
        var config = folder.ReadSearchConfig();
        var classes = File.Exists(folder.BestArchitectureFile) ? Architectures.Architecture.Parse(File.ReadAllText(folder.BestArchitectureFile)).Classes : (int?)null;
        return new RunSummary(folder.Path, folder.Name, config?.Config.Ga.Reconstruct ?? true, config?.Config.Strategy ?? SearchStrategyKind.Ga, study.Seed,
            config?.Data ?? "?", trials, final, classes, folder.ReadEvaluation(), config?.Config.Prior.Uniform ?? false, config?.Config.Proxy.Training.Epochs ?? 0);
    }
}

/// <summary>
/// The prior's reconstruction over a run (GPT-NAS §5), from the counts stored with each trial: how much of what the
/// GPT and the classifier read were vocabulary tokens themselves, and how many predicted blocks reached the network
/// as predicted. Shares are NaN where nothing was counted (a run without GPT, or one stored before the counts).
/// </summary>
public sealed record ReconstructionSummary(double ContextTokens, double ContextExact, double ClassifierTokens, double ClassifierExact,
    double Blocks, double AsPredicted, double MaskRelaxed, double Unrealisable, double Repaired, double Discarded)
{
    public double ContextExactShare => ContextExact / ContextTokens;
    public double ClassifierExactShare => ClassifierExact / ClassifierTokens;
    public double AsPredictedShare => AsPredicted / Blocks;

    public static ReconstructionSummary Of(IEnumerable<TrialRecord> trials)
    {
        var sums = new Dictionary<string, double>();
        foreach (var (key, value) in trials.SelectMany(t => t.Metrics).Where(m => TrialMetrics.IsPriorCount(m.Key))) sums[key] = sums.GetValueOrDefault(key) + value;
        return Of(sums);
    }

    /// <summary>From summed counts (<see cref="TrialMetrics"/>'s prior keys).</summary>
    public static ReconstructionSummary Of(IReadOnlyDictionary<string, double> counts)
    {
        double Sum(string key) => counts.GetValueOrDefault(key);
        return new ReconstructionSummary(Sum(TrialMetrics.PriorContextTokens), Sum(TrialMetrics.PriorContextExact),
            Sum(TrialMetrics.PriorClassifierTokens), Sum(TrialMetrics.PriorClassifierExact), Sum(TrialMetrics.PriorBlocks),
            Sum(TrialMetrics.PriorBlocksAsPredicted), Sum(TrialMetrics.PriorMaskRelaxed), Sum(TrialMetrics.PriorUnrealisable),
            Sum(TrialMetrics.PriorRepaired), Sum(TrialMetrics.PriorDiscarded));
    }

    /// <summary>One line for a terminal: the three shares and the fallbacks.</summary>
    public override string ToString() =>
        $"{ContextExactShare:P1} of the GPT's context tokens and {ClassifierExactShare:P1} of the classifier's inputs were vocabulary tokens; " +
        $"{AsPredicted:N0} of {Blocks:N0} predicted blocks ({AsPredictedShare:P1}) reached the network as predicted " +
        $"(mask relaxed {MaskRelaxed:N0}, first layer unrealisable {Unrealisable:N0}, repaired {Repaired:N0}, rebuilds discarded {Discarded:N0})";
}
