using GptNas.Runs;
using GptNas.Search;
using GptNas.Training;
using GptNas.Trials;

namespace GptNas.Reports;

/// <summary>One search run as a report sees it: its settings, its trials and its final training.</summary>
public sealed record RunSummary(
    string Folder,
    string Name,
    bool WithGpt,
    SearchStrategyKind Strategy,
    int Seed,
    string Data,
    IReadOnlyList<TrialRecord> Trials,
    TrainedModel? Final)
{
    public string Group => GroupOrder switch { 0 => "GPT-NAS", 1 => "without GPT", _ => "random sampling" };

    /// <summary>Where the run's group stands in tables and which colour it has: GPT-NAS, without GPT, random sampling.</summary>
    public int GroupOrder => Strategy == SearchStrategyKind.Random ? 2 : WithGpt ? 0 : 1;

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

    /// <summary>A run from its folder (its config, where it has one) and its study as read from the store.</summary>
    public static RunSummary Of(RunFolder folder, StudyRecord study, IReadOnlyList<TrialRecord> trials, TrainedModel? final)
    {
        var config = folder.ReadSearchConfig();
        return new RunSummary(folder.Path, folder.Name, config?.Config.Ga.Reconstruct ?? true, config?.Config.Strategy ?? SearchStrategyKind.Ga, study.Seed, config?.Data ?? "?", trials, final);
    }
}
