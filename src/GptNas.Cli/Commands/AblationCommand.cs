using System.CommandLine;
using GptNas.Config;
using GptNas.Prior;
using GptNas.Reports;
using GptNas.Runs;
using GptNas.Search;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary>
/// <c>gptnas ablation</c>: GPT-NAS against the same search without GPT (§8's ablation) and, with <c>--arms</c>, against
/// random sampling, at equal budget and seeds, several seeds each, then one report with all side by side. Rerunning
/// resumes every search.
/// </summary>
public static class AblationCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "quick, paper or smoke", DefaultValueFactory = _ => "quick" };
        var data = new Option<string>("--data") { Description = "Data set name or path", DefaultValueFactory = _ => "fashion-mnist-small" };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per arm (F, F+1, ... F+N-1)", DefaultValueFactory = _ => 3 };
        var firstSeed = new Option<int>("--first-seed")
        {
            Description = "The first seed F, so that seeds can be split between machines or sessions over one --out", DefaultValueFactory = _ => 0,
        };
        var arms = new Option<string>("--arms")
        {
            Description = "Comma-separated, from: gpt (GPT-NAS), uniform (the GA rebuilding with a uniform predictor, the GPT's control), " +
                          "nogpt (the GA without GPT), random (random sampling at the GA's budget)",
            DefaultValueFactory = _ => "gpt,nogpt",
        };
        var set = new Option<string[]>("--set") { Description = "Override a setting in both arms, e.g. --set ga.generations=3" };
        var output = new Option<string>("--out") { Description = "Folder for all runs and the report", DefaultValueFactory = _ => Path.Combine("runs", "ablation") };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)" };
        var command = new Command("ablation", "Run GPT-NAS and the no-GPT ablation for several seeds and report both") { preset, data, seeds, firstSeed, arms, set, output, threads };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var count = parse.GetValue(seeds);
            if (count < 1) throw new UsageException($"--seeds must be at least 1, got {count}");
            var first = parse.GetValue(firstSeed);
            if (first < 0) throw new UsageException($"--first-seed must be 0 or more, got {first}");
            var baseConfig = ConfigOverrides.Apply(Presets.Get(parse.GetValue(preset)!), parse.GetValue(set) ?? []);
            var root = parse.GetValue(output)!;
            var dataName = parse.GetValue(data)!;
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var chosen = Arms(parse.GetValue(arms)!);
            var folders = new List<RunFolder>();
            for (var seed = first; seed < first + count; seed++)
                foreach (var (arm, label) in chosen)
                {
                    var config = baseConfig with
                    {
                        Seed = seed, Strategy = arm == "random" ? SearchStrategyKind.Random : SearchStrategyKind.Ga,
                        Ga = baseConfig.Ga with { Reconstruct = arm is "gpt" or "uniform" },
                        Prior = baseConfig.Prior with { Uniform = arm == "uniform" },
                    };
                    var folder = new RunFolder(Path.Combine(root, $"{arm}-s{seed}"));
                    AnsiConsole.MarkupLine($"[bold]{label}, seed {seed}[/] in {Markup.Escape(folder.Path)}");
                    var run = new SearchRun(config, dataName, folder, new PriorPredictorSource(config.Prior));
                    var outcome = SearchProgressDisplay.Run(config, (search, final) => run.Run(search, final));
                    AnsiConsole.MarkupLine($"  best proxy {outcome.ProxyFitness:P2}, final test top-1 {outcome.Final.TestTop1:P2}");
                    folders.Add(folder);
                }
            // Seeds run earlier into the same --out (another --first-seed, another machine) join the report once finished.
            var earlier = Directory.EnumerateDirectories(root)
                .Where(path => chosen.Any(a => SeedFolder(a.Arm).IsMatch(Path.GetFileName(path))) && folders.All(f => f.Path != path))
                .Select(path => new RunFolder(path))
                .Where(folder => File.Exists(folder.StudyDatabase))
                .Select(folder => RunStudy.Summary(folder))
                .Where(summary => summary.Final is not null);
            var summaries = folders.Select(folder => RunStudy.Summary(folder)).Concat(earlier).OrderBy(s => s.GroupOrder).ThenBy(s => s.Seed).ToList();
            var html = ReportWriter.Write(summaries, new RunFolder(root).ReportFolder);
            foreach (var group in summaries.GroupBy(s => s.Group))
                AnsiConsole.MarkupLine($"{group.Key}: final test top-1 {Spread.Of(group.Select(s => s.Final!.TestTop1)).Percent} % over {group.Count()} seeds; " +
                                       $"best found after generation 1 in {group.Count(s => s.ImprovedAfterGeneration1 == true)}; " +
                                       $"{group.Average(s => s.DistinctArchitectures):F1} distinct architectures per run");
            foreach (var c in PairedComparison.Of(summaries))
                AnsiConsole.MarkupLine($"{c.Reference} minus {c.Other}, paired over {c.Pairs} seeds: final test top-1 {c.FinalDifference.Mean * 100:+0.00;-0.00} " +
                                       $"± {c.FinalDifference.StandardError * 100:F2} points (s.e.), better in {c.ReferenceBetter}, worse in {c.OtherBetter}");
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(html)}[/]");
            return 0;
        }));
        return command;
    }

    private static readonly Dictionary<string, string> Labels = new() { ["gpt"] = "GPT-NAS", ["uniform"] = "uniform rebuild", ["nogpt"] = "without GPT", ["random"] = "random sampling" };

    private static System.Text.RegularExpressions.Regex SeedFolder(string arm) => new($"^{arm}-s[0-9]+$");

    private static List<(string Arm, string Label)> Arms(string text)
    {
        var arms = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (arms.Count == 0) throw new UsageException($"--arms is empty; choose from {string.Join(", ", Labels.Keys)}");
        return arms.Select(arm => Labels.TryGetValue(arm, out var label) ? (arm, label) : throw new UsageException($"--arms: unknown arm '{arm}'; choose from {string.Join(", ", Labels.Keys)}")).ToList();
    }
}
