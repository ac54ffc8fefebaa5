using System.Runtime.ExceptionServices;
using GptNas.Search;
using GptNas.Search.Strategies;

namespace GptNas.Spaces.NasBench201;

/// <summary>How <see cref="Nb201Benchmark"/> runs: which strategies, how many runs, the protocol and each strategy's settings.</summary>
public sealed record Nb201BenchConfig
{
    /// <summary>Independent runs per strategy (NB201: 500).</summary>
    public int Runs { get; init; } = 500;
    /// <summary>Root seed; run r of every strategy gets <c>Seeds(Seed).Child($"run/{r}")</c>.</summary>
    public int Seed { get; init; }
    public Nb201Protocol Protocol { get; init; } = new();
    /// <summary>Names from <see cref="Nb201Strategies.Names"/>.</summary>
    public IReadOnlyList<string> Strategies { get; init; } = ["rs", "rea", "ga", "gpt-nas", "rea-warm"];
    /// <summary>Runs at once (1 = sequential); results do not depend on it.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>REA population (NB201's R-EA.sh: 10).</summary>
    public int ReaPopulation { get; init; } = 10;
    /// <summary>REA tournament sample size (NB201's R-EA.sh: 3).</summary>
    public int ReaSampleSize { get; init; } = 3;
    /// <summary>The GA of ga / gpt-nas; <see cref="GeneticAlgorithmConfig.Reconstruct"/> is set per strategy.
    /// Population 10 instead of the paper's 30: the budget pays for about 100 queries, which 30 would spend in
    /// 3 generations. Generations 0 means "as many as the budget could ever pay for" (<see cref="Nb201Benchmark.Generations"/>).</summary>
    public GeneticAlgorithmConfig Ga { get; init; } = new() { Population = 10, Generations = 0 };
    /// <summary>Cells in the prior's corpus (<see cref="Nb201Corpus"/>), used by the transfer track.</summary>
    public int CorpusSize { get; init; } = 1000;
    /// <summary>The online priors (gpt-online, count-online) refit on this many best evaluations, rank-weighted.</summary>
    public int OnlineTopK { get; init; } = 10;
    /// <summary>Pseudo-counts per op and edge of the count priors (ga-count, count-online).</summary>
    public double CountSmoothing { get; init; } = 1;

    public Nb201BenchConfig Validate()
    {
        Protocol.Validate();
        if (Runs < 1) throw new GptNasException($"--runs is {Runs}; it must be at least 1");
        if (Threads < 1) throw new GptNasException($"--threads is {Threads}; it must be at least 1");
        if (Strategies.Count == 0) throw new GptNasException($"no strategy given; use some of: {string.Join(", ", Nb201Strategies.Names)}");
        foreach (var name in Strategies)
            if (!Nb201Strategies.Names.Contains(name))
                throw new GptNasException($"unknown strategy '{name}'; use some of: {string.Join(", ", Nb201Strategies.Names)}");
        if (Strategies.Distinct().Count() != Strategies.Count) throw new GptNasException($"a strategy is named twice in {string.Join(",", Strategies)}");
        if (ReaPopulation < 1 || ReaSampleSize < 1) throw new GptNasException("REA population and sample size must be at least 1");
        if (Ga.Population < 2) throw new GptNasException($"the GA population is {Ga.Population}; it must be at least 2");
        if (OnlineTopK < 1) throw new GptNasException($"the online prior's top-k is {OnlineTopK}; it must be at least 1");
        if (!(CountSmoothing >= 0)) throw new GptNasException($"the count smoothing is {CountSmoothing}; it must be >= 0");
        return this;
    }
}

/// <summary>Fits a next-op table to rank-weighted cells (<see cref="Nb201OnlinePrior"/>); owns its model, if any.</summary>
public interface INb201PriorFitter : IDisposable
{
    Nb201PrefixPrior Fit(IReadOnlyList<Nb201Cell> weighted);
}

/// <summary>What the strategies may draw on besides the search space: the transfer corpus, the GPT trained on it, and
/// the factory of each run's online GPT (one per run, from that run's seeds).</summary>
public sealed record Nb201Priors(
    ICandidatePrior<Nb201Cell>? Gpt = null,
    IReadOnlyList<Nb201Cell>? Corpus = null,
    Func<Seeds, INb201PriorFitter>? OnlineGpt = null);

/// <summary>The strategies the NB201 benchmark knows, by name, each in one of two tracks.</summary>
public static class Nb201Strategies
{
    public const string NoOutsideKnowledge = "no outside knowledge";
    public const string Transfer = "transfer";

    public static IReadOnlyList<string> Names { get; } =
        ["rs", "rea", "ga", "ga-uniform", "gpt-online", "count-online", "gpt-nas", "rea-warm", "ga-count", "rs-corpus", "corpus-top", "corpus-vote"];

    /// <summary>What each strategy is, one line each, for help text and result files.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>
    {
        ["rs"] = "random search (NB201 RANDOM.py)",
        ["rea"] = "regularized evolution, population 10, sample 3 (NB201 R_EA.py)",
        ["ga"] = "GPT-NAS genetic algorithm without GPT (reconstruction off)",
        ["ga-uniform"] = "GPT-NAS genetic algorithm, eliminated edges rebuilt uniformly at random (control)",
        ["gpt-online"] = "GPT-NAS genetic algorithm, edges rebuilt by a GPT trained from scratch on the search's best evaluations, refitted every generation",
        ["count-online"] = "GPT-NAS genetic algorithm, edges rebuilt from per-edge op counts of the search's best evaluations (gpt-online without the GPT)",
        ["gpt-nas"] = "GPT-NAS genetic algorithm, eliminated edges rebuilt by the GPT trained on the corpus",
        ["rea-warm"] = "REA whose initial population is drawn from the corpus",
        ["ga-count"] = "GPT-NAS genetic algorithm, edges rebuilt from per-edge op counts of the corpus (gpt-nas without the GPT)",
        ["rs-corpus"] = "random search over the corpus's cells",
        ["corpus-top"] = "no query: the corpus's top cell",
        ["corpus-vote"] = "no query: the most common op of the corpus on each edge",
    };

    /// <summary>The track of a strategy: <see cref="NoOutsideKnowledge"/> or <see cref="Transfer"/> (sees the corpus).</summary>
    public static string Track(string name) => NeedsCorpus(name) ? Transfer : NoOutsideKnowledge;

    /// <summary>True when the strategy needs the GPT trained on the corpus.</summary>
    public static bool NeedsGpt(string name) => name == "gpt-nas";

    /// <summary>True when the strategy needs a GPT of its own per run.</summary>
    public static bool NeedsOnlineGpt(string name) => name == "gpt-online";

    /// <summary>True when the strategy reads the corpus.</summary>
    public static bool NeedsCorpus(string name) => name is "gpt-nas" or "rea-warm" or "ga-count" or "rs-corpus" or "corpus-top" or "corpus-vote";

    /// <summary>The cell a zero-query baseline returns; null for a search strategy.</summary>
    public static Nb201Cell? ZeroQuery(string name, IReadOnlyList<Nb201Cell>? corpus) => name switch
    {
        "corpus-top" => Corpus(corpus, name)[0],
        "corpus-vote" => Nb201CountPrior.Majority(Corpus(corpus, name)),
        _ => null,
    };

    /// <summary>Strategy <paramref name="name"/> for one run, drawing from <paramref name="seeds"/>.</summary>
    /// <param name="onlineGpt">The run's own GPT fitter (gpt-online).</param>
    public static ISearchStrategy<Nb201Cell> Create(string name, Nb201BenchConfig config, int gaGenerations,
        Nb201Priors priors, Seeds seeds, INb201PriorFitter? onlineGpt = null)
    {
        var space = new Nb201Space();
        var ga = config.Ga with { Generations = gaGenerations };
        GeneticAlgorithm<Nb201Cell> Ga(ICandidatePrior<Nb201Cell>? prior) => new(space, ga with { Reconstruct = prior is not null }, prior, seeds);
        return name switch
        {
            "rs" => new RandomSearch<Nb201Cell>(space, seeds),
            "rea" => new RegularizedEvolution<Nb201Cell>(space, seeds, config.ReaPopulation, config.ReaSampleSize),
            "ga" => Ga(null),
            "ga-uniform" => Ga(Nb201PrefixPrior.Uniform()),
            "gpt-online" => Ga(new Nb201OnlinePrior((onlineGpt ?? throw new GptNasException("the gpt-online strategy needs its GPT fitter")).Fit, config.OnlineTopK)),
            "count-online" => Ga(new Nb201OnlinePrior(cells => Nb201CountPrior.Of(cells, null, config.CountSmoothing), config.OnlineTopK)),
            "gpt-nas" => Ga(priors.Gpt ?? throw new GptNasException("the gpt-nas strategy needs the GPT prior; none was trained")),
            "rea-warm" => new RegularizedEvolution<Nb201Cell>(space, seeds, config.ReaPopulation, config.ReaSampleSize,
                random => Nb201Corpus.Draw(Corpus(priors.Corpus, name), config.ReaPopulation, random)),
            "ga-count" => Ga(Nb201CountPrior.Of(Corpus(priors.Corpus, name), null, config.CountSmoothing)),
            "rs-corpus" => new RandomSearch<Nb201Cell>(new Nb201Space(Corpus(priors.Corpus, name)), seeds),
            _ => throw new GptNasException($"'{name}' is not a search strategy; use some of: {string.Join(", ", Names)}"),
        };
    }

    private static IReadOnlyList<Nb201Cell> Corpus(IReadOnlyList<Nb201Cell>? corpus, string name) =>
        corpus ?? throw new GptNasException($"the {name} strategy needs the corpus");
}

/// <summary>One search run: the cell it returned (its table row) and what it spent.</summary>
/// <param name="Signal">The search signal the chosen cell was observed with (NaN for a zero-query baseline).</param>
public sealed record Nb201RunResult(string Strategy, int Run, int Seed, Nb201Record Best, double Signal, int Queries, int Distinct, double Spent);

/// <summary>
/// Runs every strategy <see cref="Nb201BenchConfig.Runs"/> times under the NB201 protocol, runs in parallel.
/// Run r of every strategy gets the same seeds (common random numbers: ga and gpt-nas start from the same
/// population), so the gpt-nas minus ga difference is paired by run; a run's result depends only on its seeds.
/// </summary>
public sealed class Nb201Benchmark(Nb201Table table, Nb201BenchConfig config, Nb201Priors priors)
{
    public Nb201Benchmark(Nb201Table table, Nb201BenchConfig config, ICandidatePrior<Nb201Cell>? gptPrior, IReadOnlyList<Nb201Cell>? corpus)
        : this(table, config, new Nb201Priors(gptPrior, corpus)) { }

    /// <summary>The per-seed signal's values (null under the mean signal): one realisation for all runs, from the root seed.</summary>
    public Nb201SeedTable? SeedTable { get; } = config.Protocol.Signal == Nb201Signal.Seed
        ? new Nb201SeedTable(table, config.Protocol.NoiseScale, new Seeds(config.Seed)) : null;

    /// <summary>The GA's generation count: the configured one, or (when 0) the most generations the budget could
    /// pay for if every query cost the table's cheapest, so the budget always ends the search.</summary>
    public int GaGenerations { get; } = config.Ga.Generations > 0 ? config.Ga.Generations : Generations(table, config.Protocol, config.Ga.Population);

    public static int Generations(Nb201Table table, Nb201Protocol protocol, int population)
    {
        var cheapest = table.Records.Min(protocol.Cost);
        return Math.Max(1, (int)Math.Ceiling(protocol.BudgetSeconds / (cheapest * population)));
    }

    /// <param name="progress">Told each finished run (from worker threads).</param>
    public IReadOnlyList<Nb201RunResult> Run(Action? progress = null)
    {
        config.Validate();
        var results = new Nb201RunResult[config.Strategies.Count * config.Runs];
        var root = new Seeds(config.Seed);
        try
        {
            RunAll(results, root, progress);
        }
        catch (AggregateException e) when (e.InnerExceptions[0] is GptNasException first)
        {
            ExceptionDispatchInfo.Capture(first).Throw(); // one clear message, not Parallel's wrapper
        }
        return results;
    }

    /// <summary>Runs at once: <see cref="Nb201BenchConfig.Threads"/>, or 1 when a strategy trains a GPT per run.</summary>
    /// <remarks>NOTE: TorchSharp's optimizers pass temporary scalars to libtorch that a garbage collection started by
    /// another thread may free while libtorch still reads them ("Unknown scalar type"), so runs that train a GPT never
    /// overlap with other runs. Results do not depend on it.</remarks>
    public int Threads { get; } = config.Strategies.Any(Nb201Strategies.NeedsOnlineGpt) ? 1 : config.Threads;

    private void RunAll(Nb201RunResult[] results, Seeds root, Action? progress) =>
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = Threads }, job =>
        {
            var (name, run) = (config.Strategies[job / config.Runs], job % config.Runs);
            var seeds = root.Child($"run/{run}");
            if (Nb201Strategies.ZeroQuery(name, priors.Corpus) is { } fixedCell)
            {
                results[job] = new Nb201RunResult(name, run, seeds.Root, table[fixedCell], double.NaN, 0, 0, 0);
                progress?.Invoke();
                return;
            }
            var oracle = new Nb201Oracle(table, config.Protocol, SeedTable, seeds.Random("nb201/seed-draw"));
            using var fitter = Nb201Strategies.NeedsOnlineGpt(name)
                ? (priors.OnlineGpt ?? throw new GptNasException("the gpt-online strategy needs an online GPT; none was given"))(seeds.Child("online-gpt"))
                : null;
            BudgetedSearch.Spend(Nb201Strategies.Create(name, config, GaGenerations, priors, seeds, fitter), oracle);
            var best = oracle.Best ?? throw new GptNasException(
                $"the budget of {config.Protocol.BudgetSeconds:G} s cannot pay for one query ({name}, run {run}); raise --budget-seconds");
            results[job] = new Nb201RunResult(name, run, seeds.Root, best, oracle.BestSignal, oracle.Queries, oracle.Distinct, oracle.Spent);
            progress?.Invoke();
        });
}
