using GptNas.Search;
using GptNas.Search.Strategies;
using GptNas.Trials;

namespace GptNas.Tests;

public class RandomSearchTests
{
    [Fact]
    public void InBatchesItDrawsTheGivenBudgetAsGenerationsOfThatSize()
    {
        var search = new RandomSearch<string>(new BitSpace(12), new Seeds(5), trials: 10, batch: 4);
        var asked = new List<Individual<string>>();
        while (search.Ask() is { Count: > 0 } batch)
        {
            asked.AddRange(batch);
            search.Tell(batch.Select(ind => BitSpace.Fitness(ind.Candidate)).ToList());
        }
        Assert.Equal(["g0/i0", "g0/i1", "g0/i2", "g0/i3", "g1/i0", "g1/i1", "g1/i2", "g1/i3", "g2/i0", "g2/i1"], asked.Select(ind => ind.Id));
        Assert.Equal(10, search.PlannedTrials);
        Assert.Equal(asked.Max(ind => BitSpace.Fitness(ind.Candidate)), search.Result.Best.Fitness);
        // Best so far per generation, never falling.
        Assert.Equal([0, 1, 2], search.Result.History.Select(h => h.Generation));
        Assert.True(search.Result.History.Zip(search.Result.History.Skip(1)).All(p => p.Second.BestFitness >= p.First.BestFitness));
    }

    [Fact]
    public void UnderAStudyItResumesToTheSameResult()
    {
        var evaluator = new FitnessEvaluator();
        var options = new StudyRunnerOptions { StudyName = "random", ConfigJson = "{}", Seed = 2 };
        using var store = new InMemoryTrialStore();
        var first = new StudyRunner<string>(new BitSpace(12), evaluator, store, options).Run(new RandomSearch<string>(new BitSpace(12), new Seeds(2), 9, 3));
        var calls = evaluator.Calls;
        var again = new StudyRunner<string>(new BitSpace(12), evaluator, store, options).Run(new RandomSearch<string>(new BitSpace(12), new Seeds(2), 9, 3));
        Assert.Equal(9, store.Trials(1).Count);
        Assert.Equal(calls, evaluator.Calls); // everything came from the store
        Assert.Equal(first.Best.Candidate, again.Best.Candidate);
        Assert.Equal(first.History, again.History);
    }

    [Fact]
    public void UnderATimeBudgetItDrawsUntilTheBudgetIsSpentAndResumesToTheSameStop()
    {
        // Every trial takes at least 20 ms, so the first batch of three spends the 50 ms budget whatever the machine's speed.
        var evaluator = new FitnessEvaluator(TimeSpan.FromMilliseconds(20));
        var options = new StudyRunnerOptions { StudyName = "random", ConfigJson = "{}", Seed = 2, Budget = TimeSpan.FromMilliseconds(50) };
        using var store = new InMemoryTrialStore();
        var runner = new StudyRunner<string>(new BitSpace(12), evaluator, store, options);
        var first = runner.Run(new RandomSearch<string>(new BitSpace(12), new Seeds(2), trials: null, batch: 3));
        Assert.Equal(3, store.Trials(1).Count); // the batch in progress is finished, and no other is asked
        Assert.Equal(store.Trials(1).Sum(t => t.Metrics[TrialMetrics.Seconds]), runner.SecondsSpent, 9);
        Assert.True(runner.SecondsSpent >= 0.05);

        var calls = evaluator.Calls;
        var again = new StudyRunner<string>(new BitSpace(12), evaluator, store, options).Run(new RandomSearch<string>(new BitSpace(12), new Seeds(2), null, 3));
        Assert.Equal(calls, evaluator.Calls);
        Assert.Equal(3, store.Trials(1).Count);
        Assert.Equal(first.Best.Candidate, again.Best.Candidate);
    }

    [Fact]
    public void ABudgetThatIsNotSpentLeavesTheStrategyItsOwnEnd()
    {
        var options = new StudyRunnerOptions { StudyName = "random", ConfigJson = "{}", Seed = 2, Budget = TimeSpan.FromHours(1) };
        using var store = new InMemoryTrialStore();
        new StudyRunner<string>(new BitSpace(12), new FitnessEvaluator(), store, options).Run(new RandomSearch<string>(new BitSpace(12), new Seeds(2), 9, 3));
        Assert.Equal(9, store.Trials(1).Count);
    }

    private sealed class FitnessEvaluator(TimeSpan cost = default) : IEvaluator<string>
    {
        public int Calls;
        public EvaluationResult Evaluate(Individual<string> individual, int seed, CancellationToken cancellation)
        {
            Calls++;
            if (cost > TimeSpan.Zero) Thread.Sleep(cost);
            return new EvaluationResult(BitSpace.Fitness(individual.Candidate), new Dictionary<string, double>());
        }
    }
}
