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

    private sealed class FitnessEvaluator : IEvaluator<string>
    {
        public int Calls;
        public EvaluationResult Evaluate(Individual<string> individual, int seed, CancellationToken cancellation)
        {
            Calls++;
            return new EvaluationResult(BitSpace.Fitness(individual.Candidate), new Dictionary<string, double>());
        }
    }
}
