using System.Diagnostics;
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
    /// <summary>Architectures drawn uniformly from the space; the first set.</summary>
    public int Architectures { get; init; } = 20;
    /// <summary>A finished search's run folder: as many of its complete trials, spread over its fitness range, are the second set.</summary>
    public string? Run { get; init; }
    /// <summary>Where that search's study lives, as its <c>--storage</c>; null for the folder's own.</summary>
    public string? Storage { get; init; }
    /// <summary>Most training images the final recipe sees (0: the whole training split), to make it affordable here.</summary>
    public int FinalMaxTrainImages { get; init; }
    /// <summary>Also score every proxy under bf16 autocast and compare its ranking with float32's.</summary>
    public bool Bf16 { get; init; }
    /// <summary>The k of the top-k overlap.</summary>
    public int TopK { get; init; } = 3;
}

/// <summary>One architecture as both scorings saw it; accuracies are top-1 in [0, 1], seconds of wall time.</summary>
public sealed record ProxyBenchRow(string Set, string Hash, long Parameters, int Blocks, int Predicted, double Proxy, double ProxySeconds,
    double? ProxyBf16, double? ProxyBf16Seconds, double Final, double FinalSeconds);

/// <summary>How well the proxy ranks a set of architectures as the final recipe does, and what each costs (mean seconds per architecture).</summary>
public sealed record ProxyAgreement(string Set, int Architectures, double KendallTau, double SpearmanRho, int TopK, double TopKOverlap,
    double ProxySeconds, double FinalSeconds, double? Bf16KendallTau, double? Bf16FinalKendallTau, double? Bf16Seconds)
{
    public static ProxyAgreement Of(string set, IReadOnlyList<ProxyBenchRow> rows, int topK)
    {
        var proxy = rows.Select(r => r.Proxy).ToArray();
        var final = rows.Select(r => r.Final).ToArray();
        var bf16 = rows.All(r => r.ProxyBf16 is not null) ? rows.Select(r => r.ProxyBf16!.Value).ToArray() : null;
        var k = Math.Min(topK, rows.Count);
        return new ProxyAgreement(set, rows.Count, RankCorrelation.KendallTauB(proxy, final), RankCorrelation.SpearmanRho(proxy, final), k,
            k > 0 ? RankCorrelation.TopKOverlap(proxy, final, k) : double.NaN, rows.Average(r => r.ProxySeconds), rows.Average(r => r.FinalSeconds),
            bf16 is null ? null : RankCorrelation.KendallTauB(proxy, bf16), bf16 is null ? null : RankCorrelation.KendallTauB(bf16, final),
            bf16 is null ? null : rows.Average(r => r.ProxyBf16Seconds!.Value));
    }
}

/// <summary>The measurement as <c>--json</c> prints it: the pooled agreement at the top level, then each set and each architecture.</summary>
public sealed record ProxyBenchOutcome(string Data, int Architectures, double KendallTau, double SpearmanRho, int TopK, double TopKOverlap,
    double ProxySeconds, double FinalSeconds, double? Bf16KendallTau, double? Bf16FinalKendallTau, double? Bf16Seconds, int FinalMaxTrainImages,
    ProxySettings Proxy, TrainingConfig Final, IReadOnlyList<ProxyAgreement> Sets, IReadOnlyList<ProxyBenchRow> Rows);

/// <summary>
/// Does the proxy rank architectures as their final training does? Scores each architecture with the search's proxy
/// (<see cref="TrainingEvaluator"/>, seeded as a trial of that architecture would be) and with the final recipe
/// (test top-1), then compares the two rankings (Kendall's tau-b, Spearman's rho, top-k overlap). Changing
/// <c>proxy.*</c> with <c>--set</c> and measuring again finds the cheapest proxy that still ranks faithfully.
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
        var proxyBf16 = config.Bf16 ? new TrainingEvaluator(data, search.Proxy with { Training = search.Proxy.Training with { Bf16Autocast = true } }, seeds, device) : null;
        var finalData = TrainingEvaluator.ProxyData(data, new ProxySettings { MaxTrainImages = config.FinalMaxTrainImages }, seeds);
        var rows = new List<ProxyBenchRow>();
        foreach (var (name, individuals) in sets)
            foreach (var individual in individuals)
            {
                var seed = seeds.Trial(individual.Candidate.Hash);
                var (score, seconds) = Timed(() => proxy.Evaluate(individual, seed, cancellation).Fitness);
                var (bf16, bf16Seconds) = proxyBf16 is null ? ((double?)null, 0.0) : Timed(() => (double?)proxyBf16.Evaluate(individual, seed, cancellation).Fitness);
                var (final, finalSeconds) = Timed(() => Final(individual.Candidate, finalData, seeds.Derive($"final/{individual.Candidate.Hash}"), device, cancellation));
                var row = new ProxyBenchRow(name, individual.Candidate.Hash, individual.Candidate.Parameters, individual.Candidate.Blocks.Count,
                    individual.Predicted.Count, score, seconds, bf16, bf16 is null ? null : bf16Seconds, final, finalSeconds);
                rows.Add(row);
                log?.Invoke($"{name} {rows.Count}: {row.Hash} {row.Parameters:N0} parameters, proxy {score:P2} ({seconds:F1} s)" +
                            (bf16 is null ? "" : $", bf16 proxy {bf16:P2} ({bf16Seconds:F1} s)") + $", final {final:P2} ({finalSeconds:F1} s)");
            }
        var pooled = ProxyAgreement.Of("all", rows, config.TopK);
        var perSet = sets.Select(s => ProxyAgreement.Of(s.Name, rows.Where(r => r.Set == s.Name).ToList(), config.TopK)).ToList();
        return new ProxyBenchOutcome(dataName, pooled.Architectures, pooled.KendallTau, pooled.SpearmanRho, pooled.TopK, pooled.TopKOverlap,
            pooled.ProxySeconds, pooled.FinalSeconds, pooled.Bf16KendallTau, pooled.Bf16FinalKendallTau, pooled.Bf16Seconds, config.FinalMaxTrainImages,
            search.Proxy, search.Final, perSet, rows);
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

    private static (T Value, double Seconds) Timed<T>(Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        var value = work();
        return (value, clock.Elapsed.TotalSeconds);
    }
}
