using GptNas.Search;

namespace GptNas.Tests;

/// <summary>A toy space of bit strings; fitness is the share of ones (optimum: all ones).</summary>
internal sealed class BitSpace(int length) : ISearchSpace<string>
{
    public string Name => "bits";
    public string Sample(Random random) => new(Enumerable.Range(0, length).Select(_ => random.Next(2) == 0 ? '0' : '1').ToArray());

    public (string First, string Second) Crossover(string first, string second, Random random)
    {
        var cut = random.Next(1, length);
        return (first[..cut] + second[cut..], second[..cut] + first[cut..]);
    }

    public (string Child, SearchOperator Operator) Mutate(string parent, Random random)
    {
        var chars = parent.ToCharArray();
        var i = random.Next(length);
        chars[i] = chars[i] == '0' ? '1' : '0';
        return (new string(chars), SearchOperator.Alter);
    }

    public int GeneCount(string candidate) => candidate.Length;
    public string Encode(string candidate) => candidate;
    public string Decode(string text) => text;
    public string Hash(string candidate) => candidate;

    public static double Fitness(string candidate) => candidate.Count(c => c == '1') / (double)candidate.Length;
}

/// <summary>A prior that "knows" ones are good: every gene it rebuilds becomes a one.</summary>
internal sealed class OnesPrior : ICandidatePrior<string>
{
    public Reconstruction<string> Rebuild(string candidate, IReadOnlyList<int> eliminated, Random random)
    {
        var chars = candidate.ToCharArray();
        foreach (var i in eliminated) chars[i] = '1';
        return new Reconstruction<string>(new string(chars), eliminated);
    }
}

public class GeneticAlgorithmTests
{
    private static readonly GeneticAlgorithmConfig Small = new() { Population = 8, Generations = 6 };

    private static SearchResult<string> Run(int seed, ICandidatePrior<string>? prior = null, GeneticAlgorithmConfig? config = null) =>
        Drive(new GeneticAlgorithm<string>(new BitSpace(24), config ?? Small, prior, new Seeds(seed)),
            generation => generation.Select(ind => BitSpace.Fitness(ind.Candidate)).ToList());

    /// <summary>Asks and tells until the strategy is done.</summary>
    internal static SearchResult<T> Drive<T>(ISearchStrategy<T> strategy, Func<IReadOnlyList<Individual<T>>, IReadOnlyList<double>> evaluate) where T : notnull
    {
        while (strategy.Ask() is { Count: > 0 } batch) strategy.Tell(evaluate(batch));
        return strategy.Result;
    }

    [Fact]
    public void SameSeedGivesTheSameSearch()
    {
        var first = Run(7);
        var second = Run(7);
        Assert.Equal(first.History, second.History);
        Assert.Equal(first.Best.Candidate, second.Best.Candidate);
        Assert.NotEqual(first.History.Select(h => h.MeanFitness), Run(8).History.Select(h => h.MeanFitness));
    }

    [Fact]
    public void ElitismNeverLosesTheBest()
    {
        var history = Run(3).History;
        for (var i = 1; i < history.Count; i++) Assert.True(history[i].BestFitness >= history[i - 1].BestFitness);
    }

    [Fact]
    public void ToyProblemReachesTheOptimumWithAFixedSeed()
    {
        var result = Drive(new GeneticAlgorithm<string>(new BitSpace(12), new GeneticAlgorithmConfig { Population = 16, Generations = 30 }, null, new Seeds(1)),
            generation => generation.Select(ind => BitSpace.Fitness(ind.Candidate)).ToList());
        Assert.Equal(1.0, result.Best.Fitness);
        Assert.Equal(new string('1', 12), result.Best.Candidate);
    }

    [Fact]
    public void ReconstructionRecordsPredictedGenesAndHelps()
    {
        var with = Run(5, new OnesPrior());
        var without = Run(5, new OnesPrior(), Small with { Reconstruct = false });
        Assert.Contains(with.Population, ind => ind.Predicted.Count > 0 && ind.Operators.Contains(SearchOperator.Reconstruct));
        Assert.All(without.Population, ind => Assert.Empty(ind.Predicted));
        Assert.True(with.History[^1].MeanFitness > without.History[^1].MeanFitness);
    }

    [Fact]
    public void TournamentSelectionClimbsWhereRouletteBarelyCan()
    {
        // Fitness values within a point of each other, as proxies' often are: roulette survival is near uniform,
        // a tournament still keeps the fitter of each pair.
        static double Close(string candidate) => 0.5 + 0.01 * BitSpace.Fitness(candidate);
        double OnesInTheEnd(EnvironmentalSelection selection, int seeds) => Enumerable.Range(0, seeds).Average(seed =>
            Drive(new GeneticAlgorithm<string>(new BitSpace(24), Small with { Selection = selection, Generations = 20 }, null, new Seeds(seed)),
                generation => generation.Select(ind => Close(ind.Candidate)).ToList()).Population.Average(ind => BitSpace.Fitness(ind.Candidate)));
        // Over 20 seeds: 89 % of the final population's bits are ones with tournaments, 84 % with roulette.
        var (tournament, roulette) = (OnesInTheEnd(EnvironmentalSelection.Tournament, 20), OnesInTheEnd(EnvironmentalSelection.Roulette, 20));
        Assert.True(tournament > roulette + 0.03, $"share of ones: tournament {tournament:F3}, roulette {roulette:F3}");
    }

    [Fact]
    public void TournamentSelectionKeepsTheBestAndTheSearchReproducible()
    {
        var config = Small with { Selection = EnvironmentalSelection.Tournament };
        var first = Run(3, config: config);
        Assert.Equal(first.History, Run(3, config: config).History);
        for (var i = 1; i < first.History.Count; i++) Assert.True(first.History[i].BestFitness >= first.History[i - 1].BestFitness);
        Assert.NotEqual(first.History, Run(3).History);
    }

    [Fact]
    public void NovelOffspringTrainsANewArchitectureInEveryTrialOfAConvergingSearch()
    {
        List<string> Asked(bool novel, int seed)
        {
            var asked = new List<string>();
            Drive(new GeneticAlgorithm<string>(new BitSpace(16), Small with { Selection = EnvironmentalSelection.Tournament, Generations = 20, NovelOffspring = novel },
                new OnesPrior(), new Seeds(seed)), generation =>
            {
                asked.AddRange(generation.Select(ind => ind.Candidate));
                return generation.Select(ind => BitSpace.Fitness(ind.Candidate)).ToList();
            });
            return asked;
        }
        var repeats = Enumerable.Range(0, 3).Select(seed => Asked(false, seed)).ToList();
        var novel = Enumerable.Range(0, 3).Select(seed => Asked(true, seed)).ToList();
        // Tournaments and a prior that writes ones make the population converge: the paper's GA asks for the same bits again.
        Assert.All(repeats, asked => Assert.True(asked.Distinct().Count() < 0.8 * asked.Count, $"{asked.Distinct().Count()} distinct of {asked.Count}"));
        Assert.All(novel, asked => Assert.True(asked.Distinct().Count() >= 0.95 * asked.Count, $"{asked.Distinct().Count()} distinct of {asked.Count}"));
        Assert.All(novel, asked => Assert.Equal(Small.Population * 21, asked.Count));
        Assert.Equal(novel[0], Asked(true, 0)); // still one search per seed
    }

    [Fact]
    public void EvaluatorSeesEveryGenerationOnce()
    {
        var sizes = new List<int>();
        var result = Drive(new GeneticAlgorithm<string>(new BitSpace(10), Small, null, new Seeds(0)), generation =>
        {
            sizes.Add(generation.Count);
            Assert.All(generation, ind => Assert.Equal(sizes.Count - 1, ind.Generation));
            return generation.Select(ind => BitSpace.Fitness(ind.Candidate)).ToList();
        });
        Assert.Equal(Enumerable.Repeat(8, 7), sizes);
        Assert.Equal(Enumerable.Range(0, 7), result.History.Select(h => h.Generation));
    }

    [Fact]
    public void FailedEvaluationsScoreZero()
    {
        var ga = new GeneticAlgorithm<string>(new BitSpace(10), Small, null, new Seeds(0));
        var initial = ga.Ask();
        ga.Tell(initial.Select(ind => ind.Index == 0 ? double.NaN : 0.5).ToList());
        var population = ga.Result.Population;
        Assert.Equal(0.0, population.Single(ind => ind.Id == "g0/i0").Fitness);
        Assert.All(population.Where(ind => ind.Id != "g0/i0"), ind => Assert.Equal(0.5, ind.Fitness));
        // A failed individual is the least likely parent, never the best.
        Assert.NotEqual("g0/i0", ga.Result.Best.Id);
    }

    [Fact]
    public void AskingTwiceWithoutTellingIsRefusedAndTheGaEndsAfterItsGenerations()
    {
        var ga = new GeneticAlgorithm<string>(new BitSpace(10), Small with { Generations = 1 }, null, new Seeds(0));
        var first = ga.Ask();
        Assert.Throws<InvalidOperationException>(() => ga.Ask());
        ga.Tell(first.Select(_ => 0.5).ToList());
        ga.Tell(ga.Ask().Select(_ => 0.5).ToList());
        Assert.Empty(ga.Ask());
        Assert.Equal(16, ga.PlannedTrials);
    }

    [Fact]
    public void EliminationRateFallsLinearlyToZero()
    {
        var schedule = new EliminationSchedule(0.4);
        Assert.Equal(0.4, schedule.RateAt(0, 20), 9);
        Assert.Equal(0.2, schedule.RateAt(10, 20), 9);
        Assert.Equal(0.0, schedule.RateAt(20, 20), 9);
    }
}
