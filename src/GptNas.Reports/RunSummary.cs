using System.Text.Json;
using System.Text.Json.Nodes;
using GptNas.Storage;
using GptNas.Trials;

namespace GptNas.Reports;

/// <summary>One search run as a report sees it: its settings, its trials and its final training, read from its folder.</summary>
public sealed record RunSummary(
    string Folder,
    string Name,
    bool WithGpt,
    int Seed,
    string Data,
    IReadOnlyList<TrialRecord> Trials,
    FinalTraining? Final)
{
    public string Group => WithGpt ? "GPT-NAS" : "without GPT";

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

    /// <summary>Reads a run folder written by <c>gptnas search</c>; errors name what is missing.</summary>
    /// <param name="storage">The search's <c>--storage</c>, if it had one; its study carries the folder's name.</param>
    public static RunSummary Load(string folder, string? storage = null)
    {
        using var run = RunStudy.Open(folder, storage);
        var configPath = Path.Combine(folder, "config.json");
        var config = File.Exists(configPath) ? JsonNode.Parse(File.ReadAllText(configPath)) : null;
        var study = run.Study;
        var final = run.Store.GetAttribute(study.Id, "final") is { } json ? JsonSerializer.Deserialize<FinalTraining>(json, Json) : null;
        var withGpt = config?["config"]?["ga"]?["reconstruct"]?.GetValue<bool>() ?? true;
        return new RunSummary(folder, RunStudy.StudyName(folder), withGpt, study.Seed, config?["data"]?.GetValue<string>() ?? "?", run.Trials(), final);
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}

/// <summary>The stored final training of a run's best architecture.</summary>
public sealed record FinalTraining(double TestTop1, double TestTop5, double Seconds, IReadOnlyList<FinalEpoch> History);

public sealed record FinalEpoch(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationTop1, double? ValidationLoss, double LearningRate);
