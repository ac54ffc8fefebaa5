using GptNas.Architectures;
using GptNas.Search;
using GptNas.Spaces;
using GptNas.Trials;

namespace GptNas.Tests;

public class StudyRunnerTests
{
    private sealed class CountingEvaluator(Func<Individual<string>, double> fitness, int crashAfter = int.MaxValue) : IEvaluator<string>
    {
        public int Calls;
        public EvaluationResult Evaluate(Individual<string> individual, int seed, CancellationToken cancellation)
        {
            if (++Calls > crashAfter) throw new OperationCanceledException("process killed");
            return new EvaluationResult(fitness(individual), new Dictionary<string, double> { ["ones"] = individual.Candidate.Count(c => c == '1') });
        }
    }

    private static readonly GeneticAlgorithmConfig Ga = new() { Population = 6, Generations = 4 };
    private static readonly StudyRunnerOptions Options = new() { StudyName = "toy", ConfigJson = "{}", Seed = 3 };

    private static SearchResult<string> Run(ITrialStore store, IEvaluator<string> evaluator, CancellationToken cancellation = default) =>
        new StudyRunner<string>(new BitSpace(16), evaluator, store, Options)
            .Run(new GeneticAlgorithm<string>(new BitSpace(16), Ga, new OnesPrior(), new Seeds(3)), cancellation: cancellation);

    [Fact]
    public void EveryIndividualIsRecordedWithItsOrigin()
    {
        using var store = new InMemoryTrialStore();
        Run(store, new CountingEvaluator(ind => BitSpace.Fitness(ind.Candidate)));
        var trials = store.Trials(1);
        Assert.Equal(30, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialState.Complete, t.State));
        Assert.Contains(trials, t => t.Operators.Contains("crossover") && t.Parents.Count == 2);
        Assert.Contains(trials, t => t.Predicted.Count > 0);
    }

    [Fact]
    public void ResumeAfterACrashRedoesNothingFinishedAndEndsTheSame()
    {
        using var reference = new InMemoryTrialStore();
        var expected = Run(reference, new CountingEvaluator(ind => BitSpace.Fitness(ind.Candidate)));

        using var store = new InMemoryTrialStore();
        var crashing = new CountingEvaluator(ind => BitSpace.Fitness(ind.Candidate), crashAfter: 13);
        Assert.ThrowsAny<OperationCanceledException>(() => Run(store, crashing));
        var finishedBefore = store.Trials(1).Where(t => t.State.IsFinished()).ToDictionary(t => t.Id, t => t.Finished);
        Assert.Contains(store.Trials(1), t => t.State == TrialState.Running); // the trial the crash interrupted

        var resumed = new CountingEvaluator(ind => BitSpace.Fitness(ind.Candidate));
        var result = Run(store, resumed);
        Assert.Equal(expected.History, result.History);
        Assert.Equal(expected.Best.Candidate, result.Best.Candidate);
        Assert.All(store.Trials(1), t => Assert.True(t.State.IsFinished()));
        // Finished trials were kept as they were, and only the rest was evaluated.
        Assert.All(finishedBefore, kv => Assert.Equal(kv.Value, store.Trials(1).Single(t => t.Id == kv.Key).Finished));
        Assert.InRange(resumed.Calls, 1, 30 - finishedBefore.Count);
    }

    [Fact]
    public void AFailingEvaluationFailsOnlyItsTrial()
    {
        using var store = new InMemoryTrialStore();
        var result = Run(store, new CountingEvaluator(ind => ind.Index == 2 ? throw new InvalidOperationException("out of memory") : BitSpace.Fitness(ind.Candidate)));
        var trials = store.Trials(1);
        var failed = trials.Where(t => t.State == TrialState.Failed).ToList();
        // Exactly the evaluations that threw failed: index 2 of each generation, unless its candidate was a
        // duplicate of an earlier complete trial (then it was reused, not evaluated).
        var evaluatedAtTwo = trials.Where(t => t.Index == 2 && !t.Metrics.ContainsKey(TrialMetrics.Duplicate)).Select(t => t.Name).ToList();
        Assert.Equal(evaluatedAtTwo, failed.Select(t => t.Name));
        Assert.Contains("g0/i2", evaluatedAtTwo);
        Assert.All(failed, t => Assert.Equal("InvalidOperationException: out of memory", t.Error));
        Assert.All(trials.Where(t => t.Index != 2), t => Assert.Equal(TrialState.Complete, t.State));
        Assert.True(result.Best.Fitness > 0);
    }

    [Fact]
    public void BlockReconstructionKeepsCandidatesValidAndMarksPredictedBlocks()
    {
        var space = new BlockSpace(new BlockSpaceConfig { MinBlocks = 4, MaxBlocks = 8, Widths = [16, 32, 64] }.For(new Shape(3, 32, 32), 10));
        var prior = new BlockReconstructor(space, new UniformBlockPredictor());
        var random = new Random(4);
        var predictedAny = false;
        for (var i = 0; i < 100; i++)
        {
            var candidate = space.Sample(random);
            var (rebuilt, predicted) = prior.Rebuild(candidate, [0, 2, candidate.Blocks.Count - 1], random);
            Assert.Null(rebuilt.Validate());
            Assert.True(space.Admissible(rebuilt));
            Assert.All(predicted, p => Assert.InRange(p, 0, rebuilt.Blocks.Count - 1));
            predictedAny |= predicted.Count > 0;
        }
        Assert.True(predictedAny);
    }

    [Fact]
    public void BlockReconstructionKeepsTheCandidatesDownsamplingsUnlessAskedNotTo()
    {
        var space = new BlockSpace(new BlockSpaceConfig { MinBlocks = 4, MaxBlocks = 8, Widths = [16, 32, 64] }.For(new Shape(1, 28, 28), 10));
        int Lost(bool keep)
        {
            var prior = new BlockReconstructor(space, new UniformBlockPredictor(), keep);
            var random = new Random(5);
            var (lost, rebuilds) = (0, 0);
            for (var i = 0; i < 200; i++)
            {
                var candidate = space.Sample(random);
                var eliminated = Enumerable.Range(0, candidate.Blocks.Count).Where(_ => random.NextDouble() < 0.5).ToList();
                var (rebuilt, predicted) = prior.Rebuild(candidate, eliminated, random);
                Assert.True(space.Admissible(rebuilt));
                lost += candidate.Downsamples() - rebuilt.Downsamples();
                if (predicted.Count > 0) rebuilds++;
            }
            Assert.True(rebuilds > 150, $"{rebuilds} of 200 rebuilt");
            return lost;
        }
        Assert.Equal(0, Lost(keep: true));
        // Predicted blocks down-sample one time in four here, fewer than the sampled candidates' blocks do.
        Assert.True(Lost(keep: false) > 50);
    }
}
