using GptNas.Reports;
using GptNas.Search;
using GptNas.Training;
using GptNas.Trials;

namespace GptNas.Tests;

/// <summary>What a report says of several searches: paired differences by seed, where each best was found, how much of the budget explored.</summary>
public class RunComparisonTests
{
    private static RunSummary Run(string name, bool withGpt, SearchStrategyKind strategy, int seed, double? final, params double[][] fitnessByGeneration) =>
        new(name, name, withGpt, strategy, seed, "data",
            fitnessByGeneration.SelectMany((scores, g) => scores.Select((f, i) => new TrialRecord { Generation = g, Index = i, State = TrialState.Complete, Fitness = f, Hash = $"arch{f}" })).ToList(),
            final is null ? null : new TrainedModel { TestTop1 = final.Value });

    [Fact]
    public void GenerationOfBestIsTheFirstThatReachedTheBest()
    {
        Assert.Equal(0, Run("a", true, SearchStrategyKind.Ga, 0, 0.9, [0.7, 0.6], [0.5, 0.7], [0.6, 0.4]).GenerationOfBest);
        var climbing = Run("b", true, SearchStrategyKind.Ga, 0, 0.9, [0.5], [0.6], [0.55], [0.65]);
        Assert.Equal(3, climbing.GenerationOfBest);
        Assert.True(climbing.ImprovedAfterGeneration1);
        Assert.False(Run("c", true, SearchStrategyKind.Ga, 0, 0.9, [0.5], [0.7], [0.7]).ImprovedAfterGeneration1);
        Assert.Null(Run("d", true, SearchStrategyKind.Ga, 0, null).GenerationOfBest);
    }

    [Fact]
    public void ARepeatedCandidateCountsAsATrialButNotAsAnotherArchitecture()
    {
        // The hash stands for the architecture here: a converged population asks for 0.7's architecture three times.
        var run = Run("a", false, SearchStrategyKind.Ga, 0, 0.9, [0.5, 0.7], [0.7, 0.6], [0.7, 0.7]);
        Assert.Equal((6, 3), (run.Trials.Count, run.DistinctArchitectures));
    }

    [Fact]
    public void BlockKindsAreCountedOverDistinctArchitectures()
    {
        const string text = """
            input 28x28x1
            classes 10
            stem ConvNormActivation out=16 kernel=3 stride=1 groups=1 act=relu
            block BasicBlock out=16 stride=1
            block BasicBlock out=32 stride=2
            block InvertedResidual out=64 stride=2
            head dropout=0
            """;
        var trial = new TrialRecord { State = TrialState.Complete, Fitness = 0.5, Candidate = text, Hash = "x" };
        var run = new RunSummary("a", "a", true, SearchStrategyKind.Ga, 0, "data", [trial, trial with { Index = 1 }], null);
        var kinds = run.BlockKinds();
        Assert.Equal(2, kinds[Architectures.BlockKind.BasicBlock]);
        Assert.Equal(1, kinds[Architectures.BlockKind.InvertedResidual]);
        Assert.Equal(2, kinds.Count); // the stem's ConvNormActivation is not a searched block
    }

    [Fact]
    public void ProxyComputeCountsWhatWasTrainedAndTrialTimeEverything()
    {
        TrialRecord Trial(int index, double flops, double seconds, bool duplicate = false) => new()
        {
            State = TrialState.Complete, Fitness = 0.5, Index = index, Hash = $"h{index}",
            Metrics = new Dictionary<string, double> { [TrialMetrics.Flops] = flops, [TrialMetrics.ProxyImages] = 1000, [TrialMetrics.Seconds] = seconds }
                .Concat(duplicate ? [new KeyValuePair<string, double>(TrialMetrics.Duplicate, 1)] : []).ToDictionary(),
        };
        var run = new RunSummary("a", "a", true, SearchStrategyKind.Ga, 0, "data", [Trial(0, 2e6, 10), Trial(1, 3e6, 20), Trial(2, 3e6, 0.01, duplicate: true)], null,
            ProxyEpochs: 2);
        Assert.Equal((2e6 + 3e6) * 1000 * 2, run.ProxyMultiplyAdds); // the reused duplicate trained nothing
        Assert.Equal(30.01, run.TrialSeconds, 9);
    }

    [Fact]
    public void GroupsArePairedBySeedAgainstTheFirstGroup()
    {
        var runs = new[]
        {
            Run("gpt-s0", true, SearchStrategyKind.Ga, 0, 0.90, [0.6]), Run("gpt-s1", true, SearchStrategyKind.Ga, 1, 0.80, [0.7]),
            Run("gpt-s2", true, SearchStrategyKind.Ga, 2, 0.85, [0.7]),
            Run("random-s0", false, SearchStrategyKind.Random, 0, 0.88, [0.5]), Run("random-s1", false, SearchStrategyKind.Random, 1, 0.84, [0.6]),
            Run("random-s3", false, SearchStrategyKind.Random, 3, 0.50, [0.6]), // no GPT-NAS seed 3: not a pair
        };
        var comparison = Assert.Single(PairedComparison.Of(runs));
        Assert.Equal(("GPT-NAS", "random sampling", 2), (comparison.Reference, comparison.Other, comparison.Pairs));
        Assert.Equal(-0.01, comparison.FinalDifference.Mean, 10); // (+0.02 - 0.04) / 2
        Assert.Equal(0.03, comparison.FinalDifference.StandardError, 10); // std sqrt(2) * 0.03, over sqrt(2)
        Assert.Equal(0.1, comparison.ProxyDifference.Mean, 10);
        Assert.Equal((1, 1), (comparison.ReferenceBetter, comparison.OtherBetter));
        Assert.Empty(PairedComparison.Of(runs.Take(3).ToList()));
    }
}
