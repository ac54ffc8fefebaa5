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
    /// <summary>Cells in the prior's corpus (<see cref="Nb201Corpus"/>), used by gpt-nas's GPT and rea-warm.</summary>
    public int CorpusSize { get; init; } = 1000;

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
        return this;
    }
}

/// <summary>The strategies the NB201 benchmark knows, by name.</summary>
public static class Nb201Strategies
{
    public static IReadOnlyList<string> Names { get; } = ["rs", "rea", "ga", "gpt-nas", "rea-warm", "ga-uniform"];

    /// <summary>What each strategy is, one line each, for help text and result files.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>
    {
        ["rs"] = "random search (NB201 RANDOM.py)",
        ["rea"] = "regularized evolution, population 10, sample 3 (NB201 R_EA.py)",
        ["ga"] = "GPT-NAS genetic algorithm without GPT (reconstruction off)",
        ["gpt-nas"] = "GPT-NAS genetic algorithm, eliminated edges rebuilt by the GPT prior",
        ["rea-warm"] = "REA whose initial population is drawn from the prior's corpus",
        ["ga-uniform"] = "GPT-NAS genetic algorithm, eliminated edges rebuilt uniformly at random (control)",
    };

    /// <summary>True when the strategy needs the GPT prior.</summary>
    public static bool NeedsGpt(string name) => name == "gpt-nas";

    /// <summary>True when the strategy reads the prior's corpus.</summary>
    public static bool NeedsCorpus(string name) => name is "gpt-nas" or "rea-warm";

    /// <summary>Strategy <paramref name="name"/> for one run, drawing from <paramref name="seeds"/>.</summary>
    public static ISearchStrategy<Nb201Cell> Create(string name, Nb201BenchConfig config, int gaGenerations,
        ICandidatePrior<Nb201Cell>? gptPrior, IReadOnlyList<Nb201Cell>? corpus, Seeds seeds)
    {
        var space = new Nb201Space();
        var ga = config.Ga with { Generations = gaGenerations };
        return name switch
        {
            "rs" => new RandomSearch<Nb201Cell>(space, seeds),
            "rea" => new RegularizedEvolution<Nb201Cell>(space, seeds, config.ReaPopulation, config.ReaSampleSize),
            "ga" => new GeneticAlgorithm<Nb201Cell>(space, ga with { Reconstruct = false }, null, seeds),
            "gpt-nas" => new GeneticAlgorithm<Nb201Cell>(space, ga with { Reconstruct = true },
                gptPrior ?? throw new GptNasException("the gpt-nas strategy needs the GPT prior; none was trained"), seeds),
            "rea-warm" => new RegularizedEvolution<Nb201Cell>(space, seeds, config.ReaPopulation, config.ReaSampleSize,
                random => Nb201Corpus.Draw(corpus ?? throw new GptNasException("the rea-warm strategy needs the prior's corpus"), config.ReaPopulation, random)),
            "ga-uniform" => new GeneticAlgorithm<Nb201Cell>(space, ga with { Reconstruct = true }, Nb201PrefixPrior.Uniform(), seeds),
            _ => throw new GptNasException($"unknown strategy '{name}'; use some of: {string.Join(", ", Names)}"),
        };
    }
}

/// <summary>One search run: the cell it returned (its table row) and what it spent.</summary>
public sealed record Nb201RunResult(string Strategy, int Run, int Seed, Nb201Record Best, int Queries, int Distinct, double Spent);

/// <summary>
/// Runs every strategy <see cref="Nb201BenchConfig.Runs"/> times under the NB201 protocol, runs in parallel.
/// Run r of every strategy gets the same seeds (common random numbers: ga and gpt-nas start from the same
/// population), so the gpt-nas minus ga difference is paired by run; a run's result depends only on its seeds.
/// </summary>
public sealed class Nb201Benchmark(Nb201Table table, Nb201BenchConfig config, ICandidatePrior<Nb201Cell>? gptPrior, IReadOnlyList<Nb201Cell>? corpus)
{
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

    private void RunAll(Nb201RunResult[] results, Seeds root, Action? progress) =>
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = config.Threads }, job =>
        {
            var (name, run) = (config.Strategies[job / config.Runs], job % config.Runs);
            var seeds = root.Child($"run/{run}");
            var oracle = new Nb201Oracle(table, config.Protocol);
            BudgetedSearch.Spend(Nb201Strategies.Create(name, config, GaGenerations, gptPrior, corpus, seeds), oracle);
            var best = oracle.Best ?? throw new GptNasException(
                $"the budget of {config.Protocol.BudgetSeconds:G} s cannot pay for one query ({name}, run {run}); raise --budget-seconds");
            results[job] = new Nb201RunResult(name, run, seeds.Root, best, oracle.Queries, oracle.Distinct, oracle.Spent);
            progress?.Invoke();
        });
}
