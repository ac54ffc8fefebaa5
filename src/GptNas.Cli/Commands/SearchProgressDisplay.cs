using GptNas.Config;
using GptNas.Search;
using GptNas.Training;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary>Live search progress: trials done of total with ETA, generation and best so far; then the final training.</summary>
public static class SearchProgressDisplay
{
    public static T Run<T>(SearchConfig config, Func<IProgress<SearchProgress>, IProgress<TrainingProgress>, T> work) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var total = config.Ga.Trials();
                var search = context.AddTask("search", maxValue: total);
                ProgressTask? final = null;
                var lastGeneration = -1;
                var searchReporter = new SyncProgress<SearchProgress>(p =>
                {
                    // Successive halving adds the promotions' trials to the strategy's own; a budget ends the search by time.
                    if (p.TrialsPlanned is { } planned) total = planned;
                    var spent = p.BudgetSeconds is { } budget ? $"  {p.SecondsSpent:F0}/{budget:F0} s" : "";
                    search.MaxValue = p.BudgetSeconds ?? total;
                    search.Value = p.BudgetSeconds is not null ? Math.Min(p.SecondsSpent, search.MaxValue) : p.TrialsDone;
                    var trials = p.TrialsPlanned is null ? $"{p.TrialsDone}" : $"{p.TrialsDone}/{p.TrialsPlanned}";
                    var generation = p.TrialsPlanned is null ? $"{p.Generation}" : $"{p.Generation}/{config.Ga.Generations}";
                    search.Description = $"generation {generation}  trials {trials}{spent}  best {p.BestFitness?.ToString("P2") ?? "-"}";
                    if (p.Generation != lastGeneration && p.TrialsDone % (total / (config.Ga.Generations + 1)) == 0)
                    {
                        AnsiConsole.MarkupLine($"generation {p.Generation} done: {trials} trials{spent}, best fitness {p.BestFitness:P2}");
                        lastGeneration = p.Generation;
                    }
                });
                var finalReporter = new SyncProgress<TrainingProgress>(p =>
                {
                    final ??= context.AddTask("final training", maxValue: (double)p.Epochs * p.ImagesPerEpoch);
                    final.Value = (double)(p.Epoch - 1) * p.ImagesPerEpoch + p.ImagesDone;
                    final.Description = $"final training  epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:F4}  acc {p.Accuracy:P1}";
                    if (p.Finished is { } m)
                        AnsiConsole.MarkupLine($"final epoch {m.Epoch}/{p.Epochs}  loss {m.TrainLoss:F4}  train {m.TrainAccuracy:P2}  val {m.ValidationTop1?.ToString("P2") ?? "-"}  {m.Seconds:F1} s");
                });
                return work(searchReporter, finalReporter);
            });
}
