using GptNas.Architectures;
using GptNas.Config;
using GptNas.Data;
using GptNas.Networks;
using GptNas.Search;
using GptNas.Spaces;
using GptNas.Training;
using GptNas.Trials;

namespace GptNas.Runs;

/// <summary>What <c>gptnas bench proxy</c> measures: the proxy and the final recipe of <see cref="Search"/>, over which architectures.</summary>
public sealed record ProxyBenchConfig
{
    /// <summary>The proxy (<c>proxy.*</c>), the final recipe (<c>final.*</c>), the space and the seed, as a search would have them.</summary>
    public required SearchConfig Search { get; init; }
    /// <summary>
    /// Other proxies scored on the same architectures beside the search's own, each ranked against the same final scores,
    /// so that one run's final trainings (the costly part) serve every proxy compared.
    /// </summary>
    public IReadOnlyList<ProxyVariant> Variants { get; init; } = [];
    /// <summary>Architectures drawn uniformly from the space; the first set.</summary>
    public int Architectures { get; init; } = 20;
    /// <summary>A finished search's run folder: as many of its complete trials, spread over its fitness range, are the second set.</summary>
    public string? Run { get; init; }
    /// <summary>Where that search's study lives, as its <c>--storage</c>; null for the folder's own.</summary>
    public string? Storage { get; init; }
    /// <summary>Most training images the final recipe sees (0: the whole training split), to make it affordable here.</summary>
    public int FinalMaxTrainImages { get; init; }
    /// <summary>The k of the top-k overlap.</summary>
    public int TopK { get; init; } = 3;
    /// <summary>
    /// Rank every proxy against the search's proxy retrained from other seeds (the same images, another initialization and
    /// batch order) instead of against the final recipe: the test-retest agreement, which bounds how well any proxy this
    /// noisy can rank architectures, at the cost of one more proxy per architecture instead of a final training.
    /// </summary>
    public bool AgainstRetest { get; init; }
    /// <summary>
    /// A JSON-lines file that keeps every architecture's row as soon as it is scored: the same command again after a crash
    /// (or with more architectures) reuses the rows it holds and scores only the rest. Null: rows are kept in memory only.
    /// </summary>
    public string? RowsFile { get; init; }
}

/// <summary>A proxy compared beside the search's own: a name and its <c>proxy.*</c> assignments on top of the search's.</summary>
public sealed record ProxyVariant(string Name, IReadOnlyList<string> Assignments, ProxySettings Proxy)
{
    /// <summary>The search's own proxy, under which the top-level numbers are reported.</summary>
    public const string Base = "proxy";
    /// <summary>The zero-cost baseline every proxy should beat: the parameter count, ranked as if it were a score.</summary>
    public const string Parameters = "parameters";

    /// <summary><c>name: key=value key=value</c> (the <c>proxy.</c> prefix may be left out), applied to <paramref name="search"/>'s proxy.</summary>
    public static ProxyVariant Parse(string text, SearchConfig search)
    {
        var colon = text.IndexOf(':');
        var name = (colon < 0 ? text : text[..colon]).Trim();
        var assignments = (colon < 0 ? "" : text[(colon + 1)..]).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => a.StartsWith("proxy.", StringComparison.Ordinal) ? a : $"proxy.{a}").ToList();
        if (name.Length == 0 || name is Base or Parameters)
            throw new GptNasException($"--variant '{text}': give it a name other than '{Base}' or '{Parameters}', e.g. --variant \"full: acceleration=full\"");
        if (assignments.Count == 0)
            throw new GptNasException($"--variant '{text}': no settings; write it as name: key=value, e.g. \"full: acceleration=full\"");
        try
        {
            var config = ConfigOverrides.Apply(search, assignments);
            config.Validate();
            return new ProxyVariant(name, assignments, config.Proxy);
        }
        catch (GptNasException e) { throw new GptNasException($"--variant '{name}': {e.Message}", e); }
    }
}

/// <summary>
/// One architecture as every scoring saw it: each proxy's top-1 (the search's own under <see cref="ProxyVariant.Base"/>) and the
/// final recipe's test top-1 (or, under <see cref="ProxyBenchConfig.AgainstRetest"/>, the proxy's retest), in [0, 1], with seconds of wall time. <see cref="Diverged"/> names the scorings whose training
/// diverged and scored 0.
/// </summary>
public sealed record ProxyBenchRow(string Set, string Hash, long Parameters, int Blocks, int Predicted, double Proxy, double ProxySeconds,
    IReadOnlyDictionary<string, double> Variants, IReadOnlyDictionary<string, double> VariantSeconds, double Final, double FinalSeconds,
    IReadOnlyList<string> Diverged)
{
    public double ScoreOf(string proxy) => proxy switch { ProxyVariant.Base => Proxy, ProxyVariant.Parameters => Parameters, _ => Variants[proxy] };
    public double SecondsOf(string proxy) => proxy switch { ProxyVariant.Base => ProxySeconds, ProxyVariant.Parameters => 0, _ => VariantSeconds[proxy] };
}

/// <summary>
/// How well one proxy ranks a set of architectures as the final recipe does, how close its order is to the search's own
/// proxy's (and, in <see cref="KendallTauAgainst"/>, to every other proxy's), and what each costs (mean seconds per architecture).
/// </summary>
public sealed record ProxyAgreement(string Set, string Proxy, int Architectures, double KendallTau, double SpearmanRho, int TopK,
    double TopKOverlap, double ProxySeconds, double FinalSeconds, double KendallTauAgainstBase, IReadOnlyDictionary<string, double> KendallTauAgainst)
{
    public static ProxyAgreement Of(string set, string proxy, IReadOnlyList<ProxyBenchRow> rows, int topK)
    {
        IEnumerable<string> others = rows.Count == 0 ? [] : rows[0].Variants.Keys.Prepend(ProxyVariant.Base).Append(ProxyVariant.Parameters).Where(p => p != proxy);
        var scores = rows.Select(r => r.ScoreOf(proxy)).ToArray();
        var final = rows.Select(r => r.Final).ToArray();
        var k = Math.Min(topK, rows.Count);
        return new ProxyAgreement(set, proxy, rows.Count, RankCorrelation.KendallTauB(scores, final), RankCorrelation.SpearmanRho(scores, final), k,
            k > 0 ? RankCorrelation.TopKOverlap(scores, final, k) : double.NaN, rows.Average(r => r.SecondsOf(proxy)),
            rows.Average(r => r.FinalSeconds), RankCorrelation.KendallTauB(scores, rows.Select(r => r.Proxy).ToArray()),
            others.ToDictionary(p => p, p => RankCorrelation.KendallTauB(scores, rows.Select(r => r.ScoreOf(p)).ToArray())));
    }
}

/// <summary>
/// The measurement as <c>--json</c> prints it: the search's own proxy pooled over every architecture at the top level, then
/// that proxy per set, every variant and the parameter-count baseline per set and pooled (<c>set</c> "all"), and each architecture;
/// <see cref="Against"/> names what the <c>final</c> scores are: the final recipe's test top-1 ("final") or the proxy's retest ("retest").
/// </summary>
public sealed record ProxyBenchOutcome(string Data, int Architectures, double KendallTau, double SpearmanRho, int TopK, double TopKOverlap,
    double ProxySeconds, double FinalSeconds, int FinalMaxTrainImages, ProxySettings Proxy, TrainingConfig Final,
    IReadOnlyList<ProxyAgreement> Sets, IReadOnlyList<ProxyVariant> VariantSettings, IReadOnlyList<ProxyAgreement> Variants,
    IReadOnlyList<ProxyBenchRow> Rows, string Against = "final");

/// <summary>
/// Does the proxy rank architectures as their final training does? Scores each architecture with the search's proxy
/// (<see cref="TrainingEvaluator"/>, seeded as a trial of that architecture would be), with every variant proxy, and
/// with the final recipe (test top-1), then compares the rankings (Kendall's tau-b, Spearman's rho, top-k overlap).
/// The cheapest faithful proxy is found by listing candidates as variants: the final scores are paid for once.
/// </summary>
public sealed class ProxyBench(ProxyBenchConfig config, string dataName)
{
    public ProxyBenchOutcome Run(Action<string>? log = null, CancellationToken cancellation = default)
    {
        var search = config.Search;
        var data = DataCatalog.Load(dataName, new DataOptions { ValidationFraction = search.ValidationFraction, SplitSeed = search.Seed });
        log?.Invoke($"data {dataName}: {data}");
        var seeds = new Seeds(search.Seed);
        var space = new BlockSpace(search.Space.For(new Shape(data.Train.Channels, data.Train.Height, data.Train.Width), data.Train.ClassCount));
        var sets = new List<(string Name, IReadOnlyList<Individual<Architecture>> Individuals)> { ("sampled", Sampled(space, seeds)) };
        if (config.Run is { } run) sets.Add(("search", FromSearch(space, run)));

        var device = TorchRuntime.Device();
        var proxy = new TrainingEvaluator(data, search.Proxy, seeds, device);
        var variants = config.Variants.Select(v => (v.Name, Evaluator: new TrainingEvaluator(data, v.Proxy, seeds, device))).ToList();
        var finalData = TrainingEvaluator.ProxyData(data, new ProxySettings { MaxTrainImages = config.FinalMaxTrainImages }, seeds);
        var kept = new BenchRows<(string Set, string Hash), ProxyBenchRow>(config.RowsFile, GptNasJson.Serialize(new
        {
            data = dataName, seed = search.Seed, proxy = search.Proxy, final = search.Final, final_max_train_images = config.FinalMaxTrainImages,
            variants = config.Variants.Select(v => new { v.Name, v.Proxy }),
        }) + (config.AgainstRetest ? " against the proxy's retest" : ""), r => (r.Set, r.Hash)); // a suffix, so that files kept before --against still match
        var against = config.AgainstRetest ? "retest" : "final";
        var order = sets.SelectMany(set => set.Individuals.Select(individual => (Set: set.Name, Individual: individual))).ToList();
        var rows = kept.GetOrMeasureAll(order.Select(o => (o.Set, o.Individual.Candidate.Hash)).ToList(), n =>
        {
            var (name, individual) = order[n];
            var seed = seeds.Trial(individual.Candidate.Hash);
            var failed = new List<string>();
            var (score, seconds) = BenchScoring.Timed(ProxyVariant.Base, () => proxy.Evaluate(individual, seed, cancellation).Fitness, failed);
            var scored = variants.Select(v => (v.Name, Scored: BenchScoring.Timed(v.Name, () => v.Evaluator.Evaluate(individual, seed, cancellation).Fitness, failed))).ToList();
            var (final, finalSeconds) = BenchScoring.Timed(against, () => config.AgainstRetest
                ? proxy.Evaluate(individual, seeds.Derive($"retest/{individual.Candidate.Hash}"), cancellation).Fitness
                : Final(individual.Candidate, finalData, seeds.Derive($"final/{individual.Candidate.Hash}"), device, cancellation), failed);
            return new ProxyBenchRow(name, individual.Candidate.Hash, individual.Candidate.Parameters, individual.Candidate.Blocks.Count,
                individual.Predicted.Count, score, seconds, scored.ToDictionary(v => v.Name, v => v.Scored.Value),
                scored.ToDictionary(v => v.Name, v => v.Scored.Seconds), final, finalSeconds, failed);
        }, (n, row, measured) =>
        {
            if (!measured)
            {
                log?.Invoke($"{row.Set} {n + 1}: {row.Hash} scored before or by another run, read from {config.RowsFile}");
                return;
            }
            log?.Invoke($"{row.Set} {n + 1}: {row.Hash} {row.Parameters:N0} parameters, proxy {row.Proxy:P2} ({row.ProxySeconds:F1} s)" +
                        string.Concat(row.Variants.Select(v => $", {v.Key} {v.Value:P2} ({row.VariantSeconds[v.Key]:F1} s)")) +
                        $", {against} {row.Final:P2} ({row.FinalSeconds:F1} s)" + (row.Diverged.Count > 0 ? $"; diverged, scored 0: {string.Join(", ", row.Diverged)}" : ""));
        }, cancellation).Select(r => r.Row).ToList();
        var pooled = ProxyAgreement.Of("all", ProxyVariant.Base, rows, config.TopK);
        var perSet = sets.Select(s => ProxyAgreement.Of(s.Name, ProxyVariant.Base, rows.Where(r => r.Set == s.Name).ToList(), config.TopK)).ToList();
        var setNames = sets.Select(s => s.Name).Append("all").ToList();
        var perVariant = config.Variants.Select(v => v.Name).Append(ProxyVariant.Parameters).SelectMany(proxyName => setNames.Select(set =>
            ProxyAgreement.Of(set, proxyName, rows.Where(r => set == "all" || r.Set == set).ToList(), config.TopK))).ToList();
        return new ProxyBenchOutcome(dataName, pooled.Architectures, pooled.KendallTau, pooled.SpearmanRho, pooled.TopK, pooled.TopKOverlap,
            pooled.ProxySeconds, pooled.FinalSeconds, config.FinalMaxTrainImages, search.Proxy, search.Final, perSet, config.Variants, perVariant, rows, against);
    }

    /// <summary>Distinct uniform samples of the space, from the seed's own stream.</summary>
    private IReadOnlyList<Individual<Architecture>> Sampled(BlockSpace space, Seeds seeds)
    {
        var random = seeds.Random("bench-proxy");
        var drawn = new Dictionary<string, Architecture>();
        for (var tries = 0; drawn.Count < config.Architectures && tries < config.Architectures * 100; tries++)
        {
            var architecture = space.Sample(random);
            drawn.TryAdd(architecture.Hash, architecture);
        }
        return drawn.Values.Select((a, i) => new Individual<Architecture>(a, 0, i, [], [SearchOperator.Sample], [])).ToList();
    }

    /// <summary>
    /// As many distinct complete trials of a finished search as <see cref="ProxyBenchConfig.Architectures"/>, evenly spread over
    /// its fitness order (so the set spans good and poor ones), each with the blocks its GPT predicted.
    /// </summary>
    private IReadOnlyList<Individual<Architecture>> FromSearch(BlockSpace space, string run)
    {
        using var study = RunStudy.Open(new RunFolder(run), config.Storage);
        var trials = study.Trials().Where(t => t.State == TrialState.Complete).DistinctBy(t => t.Hash).OrderBy(t => t.Fitness).ToList();
        if (trials.Count == 0) throw new GptNasException($"'{run}' holds no complete trial yet");
        var count = Math.Min(config.Architectures, trials.Count);
        var chosen = Enumerable.Range(0, count).Select(i => trials[count == 1 ? trials.Count - 1 : (int)Math.Round(i * (trials.Count - 1.0) / (count - 1))]);
        return chosen.Select(t => new Individual<Architecture>(space.Decode(t.Candidate), t.Generation, t.Index, t.Parents, [], t.Predicted)).ToList();
    }

    /// <summary>Test top-1 after the final recipe (<c>final.*</c>) on the (capped) training split.</summary>
    private double Final(Architecture architecture, DataSplits data, int seed, TorchSharp.torch.Device device, CancellationToken cancellation)
    {
        var training = config.Search.Final with { Seed = seed };
        using var network = NetworkBuilder.Build(architecture, new Seeds(seed));
        var batches = new DataBatches(data, training);
        return new Trainer(training, device).Fit(network, batches.Train, test: batches.Test, cancellation: cancellation).Test!.Top1;
    }
}
