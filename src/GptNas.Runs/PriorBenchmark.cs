using GptNas.Architectures;
using GptNas.Config;
using GptNas.Data;
using GptNas.Search;
using GptNas.Spaces;
using GptNas.Trials;

namespace GptNas.Runs;

/// <summary>
/// One pair of <see cref="PriorBenchmark"/>: a parent, the blocks eliminated from it, and each arm's rebuild, its size, its
/// proxy accuracy and the seconds its training took (when it was trained, in this run or one before). An arm whose training
/// diverged scores 0 and is named in <see cref="Diverged"/>.
/// </summary>
public sealed record PriorPair(int Pair, string Parent, IReadOnlyList<int> Eliminated, string GptChild, string UniformChild, double GptAccuracy, double UniformAccuracy,
    long GptParameters, long UniformParameters, long GptFlops, long UniformFlops, double GptSeconds, double UniformSeconds,
    IReadOnlyList<string> Diverged, IReadOnlyDictionary<string, double> GptCounts)
{
    public double Difference => GptAccuracy - UniformAccuracy;
}

/// <summary>One proxy training of <see cref="PriorBenchmark"/>: a candidate, its seed, its validation accuracy and wall time.</summary>
public sealed record PriorTraining(string Hash, int Seed, double Accuracy, double Seconds, bool Diverged);

/// <summary>What <see cref="PriorBenchmark"/> measured: the pairs, the paired difference and the GPT's reconstruction counts.</summary>
public sealed record PriorBenchmarkResult(IReadOnlyList<PriorPair> Pairs, Spread Gpt, Spread Uniform, Spread Difference, IReadOnlyDictionary<string, double> GptCounts);

/// <summary>
/// The prior's value measured directly (GPT-NAS §5 against a prior without knowledge): from the same parents and the
/// same eliminated blocks, each parent is rebuilt once by the GPT and once by <see cref="UniformBlockPredictor"/>, and
/// every rebuilt candidate is trained by the same proxy with all parameters trained and the same seed. The paired
/// difference of their validation accuracies is what the GPT adds to a candidate.
/// </summary>
/// <remarks>
/// With a rows file (<paramref name="rowsFile"/>) every training is kept as it finishes, keyed by the candidate and its seed.
/// The parents, eliminations and rebuilds are drawn again from the seed (they cost no training), so a run again with the
/// same data, space and proxy trains only what is not yet there: after a crash, with more pairs, or with another prior,
/// whose uniform arm is then read back whole. The proxy's trial time limit is not applied: a limit in wall time would
/// score a child by the machine's load, and what is measured here is accuracy.
/// </remarks>
public sealed class PriorBenchmark(SearchConfig config, string dataName, IBlockPredictorSource gptSource, string? rowsFile = null)
{
    public PriorBenchmarkResult Run(int pairs, Action<string>? log = null, Action<PriorPair>? onPair = null, CancellationToken cancellation = default)
    {
        if (pairs < 2) throw new GptNasException($"--pairs is {pairs}; a paired difference needs at least 2");
        var data = DataCatalog.Load(dataName, new DataOptions { ValidationFraction = config.ValidationFraction, SplitSeed = config.Seed });
        log?.Invoke($"data {dataName}: {data}");
        var space = new BlockSpace(config.Space.For(new Shape(data.Train.Channels, data.Train.Height, data.Train.Width), data.Train.ClassCount));
        var seeds = new Seeds(config.Seed).Child("bench/prior");
        var gpt = new BlockReconstructor(space, gptSource.Predictor(seeds), config.Ga.KeepDownsamples);
        var uniform = new BlockReconstructor(space, new UniformBlockPredictor(), config.Ga.KeepDownsamples);
        var proxy = config.Proxy with { Acceleration = Acceleration.Full };
        var evaluator = new TrainingEvaluator(data, proxy, seeds, TorchRuntime.Device());
        var schedule = new EliminationSchedule(config.Ga.EliminationRate);
        var kept = new BenchRows<(string Hash, int Seed), PriorTraining>(rowsFile, GptNasJson.Serialize(new
        {
            data = dataName, seed = config.Seed, validation_fraction = config.ValidationFraction, space = config.Space, proxy,
        }), t => (t.Hash, t.Seed));

        // Every pair's parent, elimination and two children first (no training), so that runs sharing the rows split the trainings.
        var built = Enumerable.Range(0, pairs).Select(k =>
        {
            var pair = seeds.Child($"pair/{k}");
            var parent = space.Sample(pair.Random("parent"));
            var eliminated = Eliminate(schedule, parent, pair.Random("eliminate"));
            var rebuilt = gpt.Rebuild(parent, eliminated, pair.Random("rebuild"));
            return (Parent: parent, Eliminated: eliminated, Gpt: rebuilt, Uniform: uniform.Rebuild(parent, eliminated, pair.Random("rebuild")).Candidate,
                Seed: pair.Derive("train"));
        }).ToList();
        // Trainings 2k and 2k + 1 are pair k's GPT and uniform children.
        Architecture Child(int training) => training % 2 == 0 ? built[training / 2].Gpt.Candidate : built[training / 2].Uniform;
        var results = new PriorPair?[pairs];
        var trained = new (PriorTraining Row, bool Measured)?[2 * pairs];
        kept.GetOrMeasureAll(Enumerable.Range(0, 2 * pairs).Select(t => (Child(t).Hash, built[t / 2].Seed)).ToList(), t =>
        {
            var (candidate, seed) = (Child(t), built[t / 2].Seed);
            var diverged = new List<string>();
            var individual = new Individual<Architecture>(candidate, 0, 0, [], [SearchOperator.Reconstruct], []);
            var (accuracy, seconds) = BenchScoring.Timed(candidate.Hash, () => evaluator.Evaluate(individual, seed, cancellation).Fitness, diverged);
            return new PriorTraining(candidate.Hash, seed, accuracy, seconds, diverged.Count > 0);
        }, (t, row, measured) =>
        {
            trained[t] = (row, measured);
            var k = t / 2;
            if (trained[2 * k] is not { } gptArm || trained[2 * k + 1] is not { } uniformArm) return;
            var ((g, gMeasured), (u, uMeasured)) = (gptArm, uniformArm);
            if (!gMeasured && !uMeasured) log?.Invoke($"pair {k}: both arms trained before, read from {rowsFile}");
            var (parent, eliminated, rebuilt, byUniform, _) = built[k];
            var byGpt = rebuilt.Candidate;
            results[k] = new PriorPair(k, parent.Canonical, eliminated, byGpt.Canonical, byUniform.Canonical, g.Accuracy, u.Accuracy,
                byGpt.Parameters, byUniform.Parameters, byGpt.Flops, byUniform.Flops, g.Seconds, u.Seconds,
                [.. new[] { ("gpt", g), ("uniform", u) }.Where(arm => arm.Item2.Diverged).Select(arm => arm.Item1)], rebuilt.Counts);
            onPair?.Invoke(results[k]!);
        }, cancellation);
        var all = results.Select(p => p!).ToList();
        var totals = new Dictionary<string, double>();
        foreach (var (key, value) in all.SelectMany(p => p.GptCounts)) totals[key] = totals.GetValueOrDefault(key) + value;
        return new PriorBenchmarkResult(all, Spread.Of(all.Select(p => p.GptAccuracy)), Spread.Of(all.Select(p => p.UniformAccuracy)),
            Spread.Of(all.Select(p => p.Difference)), totals);
    }

    /// <summary>The first generation's elimination (§5: rate_0 per block), drawn again until at least one block goes.</summary>
    private static IReadOnlyList<int> Eliminate(EliminationSchedule schedule, Architecture parent, Random random)
    {
        while (true)
            if (schedule.Choose(parent.Blocks.Count, 0, 1, random) is { Count: > 0 } chosen) return chosen;
    }
}
