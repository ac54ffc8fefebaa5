using GptNas.Search;
using GptNas.Search.Strategies;
using GptNas.Trials;

namespace GptNas.Tests;

public class SuccessiveHalvingTests
{
    /// <summary>A toy multi-fidelity score: the bit count, scaled down at lower rungs as a shorter training would be.</summary>
    private sealed class RungEvaluator(int crashAfter = int.MaxValue) : IEvaluator<string>
    {
        public int Calls;
        public EvaluationResult Evaluate(Individual<string> individual, int seed, CancellationToken cancellation)
        {
            if (++Calls > crashAfter) throw new OperationCanceledException("process killed");
            return new EvaluationResult(BitSpace.Fitness(individual.Candidate) * (individual.Rung + 1) / 2, new Dictionary<string, double>());
        }
    }

    private static readonly GeneticAlgorithmConfig Ga = new() { Population = 6, Generations = 2 };
    private static readonly StudyRunnerOptions Options = new() { StudyName = "halving", ConfigJson = "{}", Seed = 1, ReuseDuplicates = false };

    private static (SearchResult<string> Result, SuccessiveHalving<string> Strategy) Run(ITrialStore store, IEvaluator<string> evaluator)
    {
        var strategy = new SuccessiveHalving<string>(new GeneticAlgorithm<string>(new BitSpace(16), Ga, null, new Seeds(1)), rungs: 2, factor: 3);
        return (new StudyRunner<string>(new BitSpace(16), evaluator, store, Options).Run(strategy), strategy);
    }

    [Fact]
    public void TheBestThirdOfEachGenerationIsScoredAgainAtTheTopRungAndStored()
    {
        using var store = new InMemoryTrialStore();
        var (result, strategy) = Run(store, new RungEvaluator());
        var trials = store.Trials(1);
        Assert.Equal(3 * (6 + 2), trials.Count);
        Assert.Equal(24, strategy.PlannedTrials);
        foreach (var generation in trials.GroupBy(t => t.Generation))
        {
            var low = generation.Where(t => t.Index < 6).ToList();
            var high = generation.Where(t => t.Index >= 6).ToList();
            Assert.All(high, t => Assert.Equal(1, t.Metrics[TrialMetrics.Rung]));
            Assert.All(low, t => Assert.False(t.Metrics.ContainsKey(TrialMetrics.Rung)));
            // The promoted are the best two of rung 0, and each is the same candidate scored again.
            var best = low.OrderByDescending(t => t.Fitness).ThenBy(t => t.Index).Take(2).Select(t => t.Hash).Order();
            Assert.Equal(best, high.Select(t => t.Hash).Order());
            Assert.All(high, t => Assert.Equal(low.Single(l => l.Index == t.Index - 6).Fitness!.Value * 2, t.Fitness!.Value, 12));
        }
        // The GA was told the top rung's score for the promoted: the best it knows is a rung-1 score.
        Assert.Equal(trials.Max(t => t.Fitness), result.Best.Fitness);
    }

    [Fact]
    public void AResumedStudyReplaysHalvingAndEndsTheSame()
    {
        using var reference = new InMemoryTrialStore();
        var expected = Run(reference, new RungEvaluator()).Result;
        using var store = new InMemoryTrialStore();
        Assert.ThrowsAny<OperationCanceledException>(() => Run(store, new RungEvaluator(crashAfter: 10)));
        var resumed = new RungEvaluator();
        var result = Run(store, resumed).Result;
        Assert.Equal(expected.History, result.History);
        Assert.Equal(expected.Best.Candidate, result.Best.Candidate);
        Assert.Equal(24 - 10, resumed.Calls);
    }

    [Fact]
    public void OneRungIsTheInnerStrategyUnchanged()
    {
        var inner = new SuccessiveHalving<string>(new GeneticAlgorithm<string>(new BitSpace(16), Ga, null, new Seeds(1)), rungs: 1, factor: 3);
        Assert.Equal(18, inner.PlannedTrials);
        Assert.Equal(6, inner.TrialsPerBatch(6));
        Assert.Equal(8 + 3 + 1, new SuccessiveHalving<string>(new RandomSearch<string>(new BitSpace(4), new Seeds(0)), 3, 3).TrialsPerBatch(8));
    }
}
