using GptNas.Architectures;
using GptNas.Config;
using GptNas.Data;
using GptNas.Search;
using GptNas.Spaces;
using GptNas.Trials;

namespace GptNas.Runs;

/// <summary>
/// One pair of <see cref="PriorBenchmark"/>: a parent, the blocks eliminated from it, and each arm's rebuild, its size, its
/// proxy accuracy and the seconds its training took. An arm whose training diverged scores 0 and is named in <see cref="Diverged"/>.
/// </summary>
public sealed record PriorPair(int Pair, string Parent, IReadOnlyList<int> Eliminated, string GptChild, string UniformChild, double GptAccuracy, double UniformAccuracy,
    long GptParameters = 0, long UniformParameters = 0, long GptFlops = 0, long UniformFlops = 0, double GptSeconds = 0, double UniformSeconds = 0,
    IReadOnlyList<string>? Diverged = null, IReadOnlyDictionary<string, double>? GptCounts = null)
{
    public double Difference => GptAccuracy - UniformAccuracy;
}

/// <summary>What <see cref="PriorBenchmark"/> measured: the pairs, the paired difference and the GPT's reconstruction counts.</summary>
public sealed record PriorBenchmarkResult(IReadOnlyList<PriorPair> Pairs, Spread Gpt, Spread Uniform, Spread Difference, IReadOnlyDictionary<string, double> GptCounts);

/// <summary>
/// The prior's value measured directly (GPT-NAS §5 against a prior without knowledge): from the same parents and the
/// same eliminated blocks, each parent is rebuilt once by the GPT and once by <see cref="UniformBlockPredictor"/>, and
/// every rebuilt candidate is trained by the same proxy with all parameters trained and the same seed. The paired
/// difference of their validation accuracies is what the GPT adds to a candidate. With a rows file (<paramref name="rowsFile"/>)
/// every pair is kept as it is measured, and a run again with the same settings measures only the pairs not yet there.
/// </summary>
public sealed class PriorBenchmark(SearchConfig config, string dataName, IBlockPredictorSource gptSource, string? rowsFile = null)
{
    public PriorBenchmarkResult Run(int pairs, Action<string>? log = null, Action<PriorPair>? onPair = null, CancellationToken cancellation = default)
    {
        if (pairs < 2) throw new GptNasException($"--pairs is {pairs}; a paired difference needs at least 2");
        var data = DataCatalog.Load(dataName, new DataOptions { ValidationFraction = config.ValidationFraction, SplitSeed = config.Seed });
        log?.Invoke($"data {dataName}: {data}");
        var space = new BlockSpace(config.Space.For(new Shape(data.Train.Channels, data.Train.Height, data.Train.Width), data.Train.ClassCount));
        var seeds = new Seeds(config.Seed).Child("bench/prior");
        var gpt = new BlockReconstructor(space, gptSource.Predictor(seeds));
        var uniform = new BlockReconstructor(space, new UniformBlockPredictor());
        var proxy = config.Proxy with { Acceleration = Acceleration.Full };
        var evaluator = new TrainingEvaluator(data, proxy, seeds, TorchRuntime.Device());
        var schedule = new EliminationSchedule(config.Ga.EliminationRate);
        var kept = new BenchRows<int, PriorPair>(rowsFile, GptNasJson.Serialize(new
        {
            data = dataName, seed = config.Seed, validation_fraction = config.ValidationFraction, space = config.Space, proxy,
            elimination_rate = config.Ga.EliminationRate, prior = config.Prior,
        }), p => p.Pair);
        var results = new List<PriorPair>();
        for (var k = 0; k < pairs; k++)
        {
            if (kept.Find(k) is { } earlier)
            {
                log?.Invoke($"pair {k}: measured before, read from {rowsFile}");
                results.Add(earlier);
                onPair?.Invoke(earlier);
                continue;
            }
            var pair = seeds.Child($"pair/{k}");
            var parent = space.Sample(pair.Random("parent"));
            var eliminated = Eliminate(schedule, parent, pair.Random("eliminate"));
            var byGpt = gpt.Rebuild(parent, eliminated, pair.Random("rebuild"));
            var byUniform = uniform.Rebuild(parent, eliminated, pair.Random("rebuild"));
            var seed = pair.Derive("train");
            var diverged = new List<string>();
            var (gptAccuracy, gptSeconds) = ProxyBench.Timed("gpt", () => Train(evaluator, byGpt, seed, cancellation), diverged);
            var (uniformAccuracy, uniformSeconds) = byUniform.Candidate.Hash == byGpt.Candidate.Hash
                ? (gptAccuracy, 0)
                : ProxyBench.Timed("uniform", () => Train(evaluator, byUniform, seed, cancellation), diverged);
            var result = new PriorPair(k, parent.Canonical, eliminated, byGpt.Candidate.Canonical, byUniform.Candidate.Canonical, gptAccuracy, uniformAccuracy,
                byGpt.Candidate.Parameters, byUniform.Candidate.Parameters, byGpt.Candidate.Flops, byUniform.Candidate.Flops, gptSeconds, uniformSeconds,
                diverged, byGpt.Counts);
            kept.Add(result);
            results.Add(result);
            onPair?.Invoke(result);
        }
        var counts = new Dictionary<string, double>();
        foreach (var (key, value) in results.SelectMany(p => p.GptCounts ?? new Dictionary<string, double>())) counts[key] = counts.GetValueOrDefault(key) + value;
        return new PriorBenchmarkResult(results, Spread.Of(results.Select(p => p.GptAccuracy)), Spread.Of(results.Select(p => p.UniformAccuracy)),
            Spread.Of(results.Select(p => p.Difference)), counts);
    }

    /// <summary>The first generation's elimination (§5: rate_0 per block), drawn again until at least one block goes.</summary>
    private static IReadOnlyList<int> Eliminate(EliminationSchedule schedule, Architecture parent, Random random)
    {
        while (true)
            if (schedule.Choose(parent.Blocks.Count, 0, 1, random) is { Count: > 0 } chosen) return chosen;
    }

    private static double Train(TrainingEvaluator evaluator, Reconstruction<Architecture> rebuilt, int seed, CancellationToken cancellation)
    {
        var individual = new Individual<Architecture>(rebuilt.Candidate, 0, 0, [], [SearchOperator.Reconstruct], rebuilt.Predicted);
        return evaluator.Evaluate(individual, seed, cancellation).Fitness;
    }
}
