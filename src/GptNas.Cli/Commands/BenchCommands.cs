using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using GptNas.Bench;
using GptNas.Config;
using GptNas.Prior;
using GptNas.Reports;
using GptNas.Runs;
using GptNas.Search;
using GptNas.Spaces.NasBench201;
using Spectre.Console;

namespace GptNas.Cli.Commands;

/// <summary><c>gptnas bench nb201</c>: search strategies compared on NAS-Bench-201 under NB201's own protocol; <c>bench proxy</c> lives in <see cref="ProxyBenchCommand"/>.</summary>
public static class BenchCommands
{
    private const string TableVariable = "GPTNAS_NB201_TABLE";
    private static readonly string TableRelative = Path.Combine("shared", "benchmarks", "nasbench201.csv");

    public static Command Create()
    {
        var bench = new Command("bench", "Compare search strategies on tabular NAS benchmarks; measure how faithfully a proxy ranks architectures");
        bench.Subcommands.Add(CreateNb201());
        bench.Subcommands.Add(CreatePrior());
        bench.Subcommands.Add(ProxyBenchCommand.Create());
        bench.Subcommands.Add(RecipeBenchCommand.Create());
        return bench;
    }

    private static Command CreatePrior()
    {
        var data = new Option<string>("--data") { Description = "Data set name or path", DefaultValueFactory = _ => "fashion-mnist-small" };
        var pairs = new Option<int>("--pairs") { Description = "Parents rebuilt by each arm", DefaultValueFactory = _ => 24 };
        var preset = new Option<string>("--preset") { Description = "Search preset whose space, proxy and prior are used", DefaultValueFactory = _ => "quick" };
        var set = new Option<string[]>("--set") { Description = "Override a setting of the preset (repeatable)" };
        var seed = new Option<int>("--seed") { Description = "Root seed of the parents, eliminations, rebuilds and trainings", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print JSON (accuracies in %)" };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)" };
        var rows = new Option<string?>("--rows")
        {
            Description = "Keep every training in this JSON-lines file as it finishes; a run again with the same data, space and proxy (after a crash, with more --pairs, or with another prior) trains only what is not yet there; runs at once may share it and split its trainings, each trained once",
        };
        var command = new Command("prior", "The GPT prior's value: the same parents rebuilt by the GPT and by a uniform predictor, every child trained by the proxy")
        {
            data, pairs, preset, set, seed, json, threads, rows,
        };
        command.SetAction(parse => UserErrors.Run(() =>
        {
            var config = ConfigOverrides.Apply(Presets.Get(parse.GetValue(preset)!), parse.GetValue(set) ?? []) with { Seed = parse.GetValue(seed) };
            TorchRuntime.SetThreads(parse.GetValue(threads));
            var asJson = parse.GetValue(json);
            // With --json, stdout is the JSON alone and the progress goes to stderr.
            Action<string> log = asJson ? Console.Error.WriteLine : line => AnsiConsole.MarkupLine(Markup.Escape(line));
            // The first arm is the GPT's unless prior.counts or prior.uniform puts a baseline in its place.
            var firstArm = config.Prior.Counts ? "corpus counts" : config.Prior.Uniform ? "uniform" : "gpt";
            if (firstArm != "gpt") log($"prior.{(config.Prior.Counts ? "counts" : "uniform")}=true: the GPT's arm rebuilds with the {firstArm} predictor");
            var benchmark = new PriorBenchmark(config, parse.GetValue(data)!, new PriorPredictorSource(config.Prior), parse.GetValue(rows));
            var result = benchmark.Run(parse.GetValue(pairs), log,
                p => log($"pair {p.Pair}: eliminated {string.Join(",", p.Eliminated)}; GPT {p.GptAccuracy:P2} ({p.GptSeconds:F0} s), " +
                         $"uniform {p.UniformAccuracy:P2} ({p.UniformSeconds:F0} s)" + (p.Diverged.Count > 0 ? $"; diverged: {string.Join(", ", p.Diverged)}" : "")));
            var counts = ReconstructionSummary.Of(result.GptCounts);
            if (asJson)
            {
                Console.WriteLine(GptNasJson.Serialize(new
                {
                    pairs = result.Pairs.Count, gpt_arm = firstArm, gpt_mean = result.Gpt.Mean * 100, uniform_mean = result.Uniform.Mean * 100,
                    difference = result.Difference.Mean * 100, standard_error = result.Difference.StandardError * 100,
                    gpt_std = result.Gpt.Std * 100, uniform_std = result.Uniform.Std * 100, difference_std = result.Difference.Std * 100,
                    gpt_wins = result.Pairs.Count(p => p.Difference > 0), uniform_wins = result.Pairs.Count(p => p.Difference < 0),
                    gpt_seconds = result.Pairs.Sum(p => p.GptSeconds), uniform_seconds = result.Pairs.Sum(p => p.UniformSeconds),
                    gpt_flops_mean = result.Pairs.Average(p => (double)p.GptFlops), uniform_flops_mean = result.Pairs.Average(p => (double)p.UniformFlops),
                    diverged = result.Pairs.Sum(p => p.Diverged.Count),
                    context_exact = counts.ContextExactShare, classifier_exact = counts.ClassifierExactShare, as_predicted = counts.AsPredictedShare,
                    fallbacks = result.GptCounts, results = result.Pairs,
                }));
                return 0;
            }
            AnsiConsole.MarkupLine($"GPT {result.Gpt.Percent} %, uniform {result.Uniform.Percent} % over {result.Pairs.Count} pairs; " +
                                   $"GPT minus uniform [bold]{result.Difference.Mean * 100:+0.00;-0.00} ± {result.Difference.StandardError * 100:F2}[/] (paired, ± standard error); " +
                                   $"GPT better in {result.Pairs.Count(p => p.Difference > 0)}, worse in {result.Pairs.Count(p => p.Difference < 0)}; " +
                                   $"training {result.Pairs.Sum(p => p.GptSeconds):F0} s (GPT) and {result.Pairs.Sum(p => p.UniformSeconds):F0} s (uniform)");
            AnsiConsole.MarkupLine($"GPT reconstruction: {Markup.Escape(counts.ToString())}");
            return 0;
        }));
        return command;
    }

    private static Command CreateNb201()
    {
        var options = new Nb201Options();
        var command = new Command("nb201", "Search strategies on NAS-Bench-201 under its own protocol, in two tracks: no outside knowledge (RS, REA, the GA, the GA with an online GPT prior) and transfer from another data set's corpus");
        foreach (var option in options.All) command.Options.Add(option);
        command.SetAction(parse => UserErrors.Run(() =>
        {
            // Piped output has no terminal width; Spectre would wrap the 9-column table at 80 characters.
            var width = AnsiConsole.Profile.Width;
            if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(width, 140);
            try { return RunNb201(options, parse); }
            finally { AnsiConsole.Profile.Width = width; }
        }));
        return command;
    }

    /// <summary>The options of <c>bench nb201</c>.</summary>
    private sealed class Nb201Options
    {
        private static readonly Nb201BenchConfig Defaults = new();

        public readonly Option<int> Runs = new("--runs") { Description = "Independent runs per strategy", DefaultValueFactory = _ => Defaults.Runs };
        public readonly Option<double> Budget = new("--budget-seconds") { Description = "Simulated search budget per run (NB201: 12000)", DefaultValueFactory = _ => Defaults.Protocol.BudgetSeconds };
        public readonly Option<string> Strategies = new("--strategies")
        {
            Description = $"Comma-separated, from: {string.Join(", ", Nb201Strategies.Names)}",
            DefaultValueFactory = _ => string.Join(",", Defaults.Strategies),
        };
        public readonly Option<string?> Table = new("--table") { Description = $"nasbench201.csv (default: ${TableVariable}, else {TableRelative} in this folder or a parent)" };
        public readonly Option<string?> Output = new("--out") { Description = "Write the results to this .csv or .json file" };
        public readonly Option<int?> Threads = new("--threads") { Description = "Runs at once (default: all cores); results do not depend on it" };
        public readonly Option<int> Seed = new("--seed") { Description = "Root seed of the runs and the GPT prior", DefaultValueFactory = _ => Defaults.Seed };
        public readonly Option<int> CorpusSize = new("--corpus-size") { Description = "Top cells by imagenet16_valid_acc_12ep the prior sees", DefaultValueFactory = _ => Defaults.CorpusSize };
        public readonly Option<int> GaPopulation = new("--ga-population") { Description = "Population of the GA strategies", DefaultValueFactory = _ => Defaults.Ga.Population };
        public readonly Option<string> GaSelection = new("--ga-selection") { Description = "Environmental selection of the GA strategies: roulette or tournament", DefaultValueFactory = _ => "roulette" };
        public readonly Option<bool> GaNovel = new("--ga-novel") { Description = "GA offspring that repeat an evaluated cell are mutated again until new (ga.novel_offspring)" };
        public readonly Option<string> Repeats = new("--repeats") { Description = "charge (NB201: a repeated query costs again) or free", DefaultValueFactory = _ => "charge" };
        public readonly Option<string> Signal = new("--signal") { Description = "seed (NB201: one training seed drawn per query) or mean (noise-free mean over seeds)", DefaultValueFactory = _ => "seed" };
        public readonly Option<double> NoiseScale = new("--noise-scale") { Description = "Multiplies the modelled seed deviations of --signal seed", DefaultValueFactory = _ => Defaults.Protocol.NoiseScale };
        public readonly Option<int> OnlineTopK = new("--online-top-k") { Description = "Best evaluations (rank-weighted) the online priors refit on", DefaultValueFactory = _ => Defaults.OnlineTopK };

        public IEnumerable<Option> All => [Runs, Budget, Strategies, Table, Output, Threads, Seed, CorpusSize, GaPopulation, GaSelection, GaNovel, Repeats, Signal, NoiseScale, OnlineTopK];

        public Nb201BenchConfig Config(ParseResult parse)
        {
            var charge = parse.GetValue(Repeats) switch
            {
                "charge" => true,
                "free" => false,
                var other => throw new UsageException($"--repeats is '{other}'; use charge or free"),
            };
            var signal = parse.GetValue(Signal) switch
            {
                "seed" => Nb201Signal.Seed,
                "mean" => Nb201Signal.Mean,
                var other => throw new UsageException($"--signal is '{other}'; use seed or mean"),
            };
            var selection = parse.GetValue(GaSelection) switch
            {
                "roulette" => EnvironmentalSelection.Roulette,
                "tournament" => EnvironmentalSelection.Tournament,
                var other => throw new UsageException($"--ga-selection is '{other}'; use roulette or tournament"),
            };
            return new Nb201BenchConfig
            {
                Runs = parse.GetValue(Runs),
                Seed = parse.GetValue(Seed),
                Protocol = new Nb201Protocol { BudgetSeconds = parse.GetValue(Budget), ChargeRepeats = charge, Signal = signal, NoiseScale = parse.GetValue(NoiseScale) },
                OnlineTopK = parse.GetValue(OnlineTopK),
                Strategies = parse.GetValue(Strategies)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Threads = parse.GetValue(Threads) ?? Environment.ProcessorCount,
                CorpusSize = parse.GetValue(CorpusSize),
                Ga = Defaults.Ga with { Population = parse.GetValue(GaPopulation), Selection = selection, NovelOffspring = parse.GetValue(GaNovel) },
            }.Validate();
        }
    }

    private static int RunNb201(Nb201Options options, ParseResult parse)
    {
        var clock = Stopwatch.StartNew();
        var config = options.Config(parse);
        var outPath = parse.GetValue(options.Output);
        if (outPath is not null && Path.GetExtension(outPath).ToLowerInvariant() is not (".csv" or ".json"))
            throw new UsageException($"--out '{outPath}' must end in .csv or .json");
        var table = Nb201Table.Load(ResolveTable(parse.GetValue(options.Table)));
        AnsiConsole.MarkupLine($"table [bold]{Markup.Escape(table.Path)}[/]: {table.Records.Count:N0} cells, sha256 {table.Sha256[..12]}");
        AnsiConsole.MarkupLine($"protocol: {Markup.Escape(config.Protocol.Describe())}");

        var (priors, priorText) = BuildPriors(table, config);
        var benchmark = new Nb201Benchmark(table, config, priors);
        AnsiConsole.MarkupLine($"REA: population {config.ReaPopulation}, sample size {config.ReaSampleSize}; GA: population {config.Ga.Population}, " +
                               $"{benchmark.GaGenerations} generations at most, crossover {config.Ga.CrossoverProbability}, mutation {config.Ga.MutationProbability}, elimination rate_0 {config.Ga.EliminationRate}, " +
                               $"environmental selection by {config.Ga.Selection.ToString().ToLowerInvariant()}{(config.Ga.NovelOffspring ? ", novel offspring" : "")}");
        var results = RunWithProgress(benchmark, config);
        var outcome = new Nb201BenchOutcome(config, benchmark.GaGenerations, table, priorText, results, clock.Elapsed.TotalSeconds);
        PrintTable(outcome);
        if (outPath is not null)
        {
            Nb201ResultFile.Write(outPath, outcome);
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(outPath)}[/]");
        }
        AnsiConsole.MarkupLine($"wall time {clock.Elapsed.TotalSeconds:F1} s ({config.Runs} runs x {config.Strategies.Count} strategies, {benchmark.Threads} threads" +
                               (benchmark.Threads < config.Threads ? ": gpt-online trains a GPT per run, and those runs never overlap)" : ")"));
        return 0;
    }

    /// <summary>The corpus, its GPT and the online GPT, as the chosen strategies need them; the text says exactly what each saw.</summary>
    private static (Nb201Priors Priors, string? Text) BuildPriors(Nb201Table table, Nb201BenchConfig config)
    {
        var lines = new List<string>();
        if (config.Strategies.Any(Nb201Strategies.NeedsGpt) || config.Strategies.Any(Nb201Strategies.NeedsOnlineGpt))
            TorchRuntime.SetThreads(1); // one torch thread per run: results must not depend on --threads; the GPTs are tiny
        Func<Seeds, INb201PriorFitter>? online = null;
        if (config.Strategies.Any(Nb201Strategies.NeedsOnlineGpt))
        {
            var onlineConfig = new Nb201OnlineGptConfig();
            var (g, t) = (onlineConfig.Gpt, onlineConfig.Training);
            online = seeds => new Nb201OnlineGpt(onlineConfig, seeds);
            lines.Add($"online GPT (no outside knowledge): {g.Layers} layers, {g.Heads} heads, width {g.Width}, initialised from each run's seed; after every generation " +
                      $"fine-tuned {t.Epochs} epochs (lr {t.LearningRate:G}) on the run's top {config.OnlineTopK} evaluations, rank-weighted {config.OnlineTopK}..1");
        }
        if (!config.Strategies.Any(Nb201Strategies.NeedsCorpus))
            return (new Nb201Priors(OnlineGpt: online), Print(lines));
        var corpus = Nb201Corpus.Top(table, config.CorpusSize);
        var budgets = table.Records.Sum(config.Protocol.Cost) / config.Protocol.BudgetSeconds;
        lines.Add($"corpus (transfer track): the top {corpus.Count} cells by {Nb201Corpus.RankColumn}, as op sequences only (no accuracy, no CIFAR column); " +
                  $"ranking them needs all {table.Records.Count:N0} cells trained on ImageNet16-120, {budgets:F0} search budgets at this protocol's CIFAR-10 cost per cell");
        if (!config.Strategies.Any(Nb201Strategies.NeedsGpt))
            return (new Nb201Priors(null, corpus, online), Print(lines));
        var priorConfig = new Nb201PriorConfig();
        var (prior, report) = Nb201GptPrior.Train(corpus, priorConfig, new Seeds(config.Seed).Derive("nb201/gpt"));
        var gpt = priorConfig.Gpt;
        lines.Add($"corpus GPT: {gpt.Layers} layers, {gpt.Heads} heads, width {gpt.Width}, {report.Parameters:N0} parameters, vocabulary 5 ops + 3 reserved, " +
                  $"{report.Epochs} epochs, lr {priorConfig.Training.LearningRate:G}: next-op loss {report.Loss:F3} nats (bigram {report.BigramLoss:F3}, uniform {report.UniformLoss:F3}), {report.Seconds:F1} s");
        return (new Nb201Priors(prior, corpus, online), Print(lines));
    }

    private static string? Print(List<string> lines)
    {
        foreach (var line in lines) AnsiConsole.MarkupLine(Markup.Escape(line));
        return lines.Count == 0 ? null : string.Join("; ", lines);
    }

    private static IReadOnlyList<Nb201RunResult> RunWithProgress(Nb201Benchmark benchmark, Nb201BenchConfig config) =>
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("search runs", maxValue: config.Runs * config.Strategies.Count);
                var gate = new Lock();
                return benchmark.Run(() => { lock (gate) task.Increment(1); });
            });

    private static void PrintTable(Nb201BenchOutcome outcome)
    {
        var metrics = Nb201Metric.Reported;
        var table = new Table().AddColumns("method", "track", "runs", "queries", "sim. s");
        foreach (var m in metrics) table.AddColumn(new TableColumn(m.Label).RightAligned());
        table.AddColumn(new TableColumn("regret").RightAligned()).AddColumn(new TableColumn("at opt.").RightAligned());
        foreach (var s in outcome.Summaries)
        {
            table.AddRow([Markup.Escape(s.Strategy), Nb201Strategies.Track(s.Strategy), s.Queries.Count.ToString(), s.Queries.Mean.ToString("F1"), s.Spent.Mean.ToString("F0"),
                .. s.Metrics.Select(m => $"{m.Mean:F2}±{m.Std:F2}"), $"{s.Regret.Mean:F3}±{s.Regret.StandardError:F3}", $"{100 * s.AtOptimum:F1} %"]);
            if (Nb201PublishedRow.For(s.Strategy) is { } published)
                table.AddRow([$"  {published.Method}", "[dim]NB201 paper[/]", "500", "", "", .. published.Metrics.Select(Published), "", ""]);
        }
        foreach (var p in Nb201PublishedRow.All.Where(p => !outcome.Summaries.Any(s => Nb201PublishedRow.For(s.Strategy) == p)))
            table.AddRow([p.Method, "[dim]NB201 paper[/]", p.Method is "ResNet" or "optimal" ? "" : "500", "", "", .. p.Metrics.Select(Published), "", ""]);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"200-epoch accuracies (%) of the cell each run returned: mean±std (n-1) over runs; queries and simulated seconds per run (mean); " +
                               $"regret = {outcome.Optimum:F2} - C10 test (mean±standard error); at opt. = share of runs that returned a cell with the best C10 test.");
        foreach (var d in outcome.Differences)
        {
            var parts = metrics.Select((m, i) => $"{m.Label} {(Math.Round(d.Metrics[i].Mean, 2) + 0.0).ToString("+0.00;-0.00", CultureInfo.InvariantCulture)} ± {d.Metrics[i].StandardError:F2}");
            AnsiConsole.MarkupLine($"[bold]{d.Minuend} - {d.Subtrahend}[/] ({Nb201Strategies.Track(d.Minuend)}, paired by run, ± standard error): {string.Join(", ", parts)}");
        }
    }

    private static string Published((double Mean, double Std) value) =>
        double.IsNaN(value.Std) ? value.Mean.ToString("F2") : $"{value.Mean:F2}±{value.Std:F2}";

    /// <summary>--table, else $GPTNAS_NB201_TABLE, else shared/benchmarks/nasbench201.csv in the working folder or a parent.</summary>
    private static string ResolveTable(string? given)
    {
        if (given is not null) return given;
        if (Environment.GetEnvironmentVariable(TableVariable) is { Length: > 0 } fromEnvironment) return fromEnvironment;
        for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, TableRelative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new UsageException($"no NB201 table found: give --table path/to/nasbench201.csv, set {TableVariable}, or run where {TableRelative} is in this folder or a parent");
    }
}
