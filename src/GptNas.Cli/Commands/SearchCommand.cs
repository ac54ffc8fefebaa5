using System.CommandLine;
using GptNas.Config;
using GptNas.Prior;
using GptNas.Runs;
using GptNas.Search;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary><c>gptnas search</c>: a GPT-NAS search with live progress; the same command again resumes it.</summary>
public static class SearchCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "quick (2-core CPU), paper (GPT-NAS's numbers) or smoke (tests)", DefaultValueFactory = _ => "quick" };
        var data = new Option<string>("--data") { Description = "fashion-mnist-small (embedded), fashion-mnist, mnist, cifar10, cifar100, or a path", DefaultValueFactory = _ => "fashion-mnist-small" };
        var seed = new Option<int>("--seed") { Description = "Root seed of the whole search", DefaultValueFactory = _ => 0 };
        var noGpt = new Option<bool>("--no-gpt") { Description = "The ablation: the same search without GPT reconstruction" };
        var strategy = new Option<SearchStrategyKind?>("--strategy") { Description = "ga (GPT-NAS, the default) or random (uniform samples at the GA's budget, same proxy); the config's 'strategy'" };
        var set = new Option<string[]>("--set") { Description = "Override a setting, e.g. --set ga.population=12 (repeatable)", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string?>("--out") { Description = "Run folder (default runs/search/<data>-<preset>-s<seed>[-nogpt]); rerun to resume" };
        var showConfig = new Option<bool>("--show-config") { Description = "Print the resolved config and every settable key, then exit" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)" };
        var storage = new Option<string?>("--storage") { Description = "Study store: a SQLite file (default <out>/study.db) or a PostgreSQL connection string, e.g. postgresql://user:pw@host/db" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace a search with other settings (another seed, preset or --set) that --out already holds" };
        var join = new Option<bool>("--join") { Description = "Work on a study that other processes also work on (same --out): share its trials" };
        var command = new Command("search", "Search an architecture for a data set with GPT-NAS, then train the best and report its test accuracy")
        {
            preset, data, seed, noGpt, strategy, set, output, showConfig, threads, join, storage, overwrite,
        };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var presetName = parse.GetValue(preset)!;
            var overrides = (parse.GetValue(set) ?? []).ToList();
            var config = ConfigOverrides.Apply(Presets.Get(presetName), overrides) with { Seed = parse.GetValue(seed) };
            if (parse.GetValue(noGpt)) config = config with { Ga = config.Ga with { Reconstruct = false } };
            if (parse.GetValue(strategy) is { } kind) config = config with { Strategy = kind };
            TorchRuntime.CheckThreads(parse.GetValue(threads));
            if (parse.GetValue(showConfig))
            {
                Console.WriteLine(GptNasJson.Serialize(config));
                return 0;
            }
            var dataName = parse.GetValue(data)!;
            var folder = parse.GetValue(output) ?? DefaultFolder(dataName, presetName, config);
            TorchRuntime.SetThreads(parse.GetValue(threads));
            if (config.Proxy.Training.Bf16Autocast && config.Final.Bf16Autocast) TorchRuntime.UncapOneDnnForBf16();
            return Run(config, presetName, dataName, new RunFolder(folder), parse.GetValue(join), parse.GetValue(storage), parse.GetValue(overwrite));
        }));
        return command;
    }

    public static string DefaultFolder(string data, string preset, SearchConfig config) =>
        Path.Combine("runs", "search", $"{Path.GetFileName(data.TrimEnd('/'))}-{preset}-s{config.Seed}{Suffix(config)}");

    private static string Suffix(SearchConfig config) =>
        config.Strategy == SearchStrategyKind.Random ? "-random" : config.Ga.Reconstruct ? "" : "-nogpt";

    private static string Describe(SearchConfig config) => (config.Strategy, config.Budget() is not null) switch
    {
        (SearchStrategyKind.Random, true) => $"random sampling until {config.BudgetSeconds:F0} s of trials are spent",
        (SearchStrategyKind.Random, false) => $"random sampling of {config.Ga.Trials()} architectures (the GA's budget)",
        (_, var budgeted) => $"population {config.Ga.Population}, {config.Ga.Generations} generations{(budgeted ? $" or {config.BudgetSeconds:F0} s of trials" : "")}, " +
                             (!config.Ga.Reconstruct ? "without GPT (ablation)" : config.Prior.Uniform ? "with uniform reconstruction (the GPT's control)"
                              : config.Prior.Counts ? "with reconstruction from the corpus's block counts (the GPT's baseline)" : "with GPT reconstruction"),
    };

    private static int Run(SearchConfig config, string presetName, string dataName, RunFolder folder, bool join, string? storage, bool overwrite)
    {
        var resuming = storage is null && folder.HasStudyDatabase;
        AnsiConsole.MarkupLine($"{(resuming ? "resuming" : "starting")} search in [bold]{Markup.Escape(folder.Path)}[/]: {Markup.Escape(Describe(config))}, seed {config.Seed}");
        if (config.Ga.Reconstruct && !config.Prior.Uniform && config.Strategy == SearchStrategyKind.Ga) DescribePrior(config.Prior, warn: presetName == "paper");
        var run = new SearchRun(config, dataName, folder, new PriorPredictorSource(config.Prior), join, storage, overwrite);
        var outcome = SearchProgressDisplay.Run(config, (searchProgress, finalProgress) =>
            run.Run(searchProgress, finalProgress, line => AnsiConsole.MarkupLine(line.StartsWith("warning:", StringComparison.Ordinal)
                ? $"[yellow]warning:[/]{Markup.Escape(line["warning:".Length..])}" : Markup.Escape(line))));
        AnsiConsole.MarkupLine($"best [bold]{outcome.BestTrial}[/]: proxy fitness {outcome.ProxyFitness:P2}, {outcome.Best.Parameters:N0} parameters, " +
                               $"{outcome.Best.Blocks.Count} blocks, hash {outcome.Best.Hash}");
        if (config.Ga.Reconstruct) AnsiConsole.MarkupLine($"GPT reconstruction: {Markup.Escape(outcome.Reconstruction.ToString())}");
        AnsiConsole.MarkupLine($"final test top-1 [bold green]{outcome.Final.TestTop1:P2}[/]{TrainCommand.Top5(outcome.Final, outcome.Best.Classes)} after {config.Final.Epochs} epochs");
        AnsiConsole.MarkupLine($"wrote {Markup.Escape(folder.Path)}: {Markup.Escape(string.Join(", ", new[] { folder.StudyDatabase, folder.BestArchitectureFile, folder.WeightsFile }.Select(Path.GetFileName)))}; " +
                               $"'gptnas report --run {Markup.Escape(folder.Path)}' draws the plots");
        return 0;
    }

    /// <summary>Which prior reconstruction uses, and where it departs from the paper's.</summary>
    private static void DescribePrior(PriorSettings settings, bool warn)
    {
        var path = ArchitecturePrior.Resolve(settings.Path);
        var manifest = PriorManifest.Read(path);
        var gpt = manifest.Config.Gpt;
        AnsiConsole.MarkupLine($"prior {Markup.Escape(path)}: GPT {gpt.Layers} layers x {gpt.Heads} heads, d_model {gpt.Width}, context {gpt.Context}; " +
                               $"{manifest.PreTrainingCorpus.Architectures:N0} NAS-Bench-101 cells, {manifest.Split.TrainNetworks.Count} reference networks");
        foreach (var deviation in warn ? manifest.Config.PaperDeviations() : [])
            AnsiConsole.MarkupLine($"[yellow]warning:[/] this prior is not the paper's: {Markup.Escape(deviation)}");
    }
}
