using GptNas.Search;
using GptNas.Search.Strategies;
using GptNas.Spaces.NasBench201;

namespace GptNas.Tests;

public class Nb201ProtocolAndPriorTests
{
    private static readonly Nb201Cell AllConv3 = Nb201Cell.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");

    [Fact]
    public void ASeedQueryAnswersOneOfTwoFixedValuesWhoseMeanIsTheTables()
    {
        var table = SyntheticNb201.Table;
        var seedTable = new Nb201SeedTable(table, 1, new Seeds(7));
        var oracle = new Nb201Oracle(table, new Nb201Protocol { BudgetSeconds = 1e9 }, seedTable, new Random(1));
        var cell = Nb201Cell.FromCode(1234);
        var mean = table[cell].Cifar10Valid12;
        var answers = new HashSet<double>();
        for (var i = 0; i < 40; i++)
        {
            Assert.True(oracle.TryQuery(cell, out var f));
            answers.Add(f);
        }
        Assert.Equal(2, answers.Count);
        Assert.Equal(mean, answers.Average(), 9);
        Assert.Equal(new HashSet<double> { seedTable.Value(table[cell], 0), seedTable.Value(table[cell], 1) }, answers);
        // the same realisation from the same seeds; none at scale 0; the spread follows the model
        Assert.Equal(seedTable.Value(table[cell], 0), new Nb201SeedTable(table, 1, new Seeds(7)).Value(table[cell], 0));
        Assert.NotEqual(seedTable.Value(table[cell], 0), new Nb201SeedTable(table, 1, new Seeds(8)).Value(table[cell], 0));
        Assert.Equal(mean, new Nb201SeedTable(table, 0, new Seeds(7)).Value(table[cell], 1));
        var spread = table.Records.Select(r => (seedTable.Value(r, 0) - r.Cifar10Valid12) / Nb201SeedTable.Sd(r.Cifar10Valid12)).ToList();
        Assert.InRange(Math.Sqrt(spread.Average(z => z * z)), 1 / Math.Sqrt(2) - 0.02, 1 / Math.Sqrt(2) + 0.02); // one seed minus the mean of two: sd sigma/sqrt 2
        Assert.Equal(0.0286 * 15, Nb201SeedTable.Sd(85), 9);
    }

    [Fact]
    public void TheIncumbentIsTheBestSignalAsObservedAndTheSeedSignalNeedsItsTable()
    {
        var table = SyntheticNb201.Table;
        var oracle = new Nb201Oracle(table, new Nb201Protocol { BudgetSeconds = 1e9 }, new Nb201SeedTable(table, 1, new Seeds(3)), new Random(2));
        var observed = new List<(Nb201Cell Cell, double Signal)>();
        for (var code = 0; code < 300; code += 7)
        {
            Assert.True(oracle.TryQuery(Nb201Cell.FromCode(code), out var f));
            observed.Add((Nb201Cell.FromCode(code), f));
        }
        var best = observed.MaxBy(o => o.Signal);
        Assert.Equal(best.Cell, oracle.Best!.Cell);
        Assert.Equal(best.Signal, oracle.BestSignal);
        Assert.Contains("needs an Nb201SeedTable", Assert.Throws<GptNasException>(() => new Nb201Oracle(table, new Nb201Protocol())).Message);
        Assert.Contains("one training seed drawn per query", new Nb201Protocol().Describe());
        Assert.Contains("noise-free", new Nb201Protocol { Signal = Nb201Signal.Mean }.Describe());
    }

    [Fact]
    public void TheCountPriorDrawsEachEdgeFromItsWeightedCountsAndTheMajorityCellTakesTheMostCommonOps()
    {
        var cells = new[] { AllConv3, AllConv3, Nb201Cell.FromCode(0) };
        var prior = Nb201CountPrior.Of(cells, [1, 1, 2], smoothing: 1);
        var ops = new[] { 4, 4, 4, 4, 4 };
        // edge 0: conv3x3 (op 3) weight 2, op 0 weight 2, plus 1 each: 3/9 and 3/9
        Assert.Equal(3.0 / 9, prior.Next(ops, 0)[3], 9);
        Assert.Equal(3.0 / 9, prior.Next(ops, 5)[0], 9);
        Assert.Equal(prior.Next([0, 0, 0, 0, 0], 3), prior.Next([4, 4, 4, 4, 4], 3)); // no dependence on the prefix
        Assert.Equal(AllConv3, Nb201CountPrior.Majority(cells));
        Assert.Equal(Nb201Cell.FromCode(0), Nb201CountPrior.Majority([Nb201Cell.FromCode(0), AllConv3])); // ties: lower op
    }

    [Fact]
    public void TheOnlinePriorRefitsAfterEveryGenerationOnTheRankWeightedBest()
    {
        var told = new[] { 70.0, 90, 80, 90 }.Select((f, i) => new Individual<Nb201Cell>(Nb201Cell.FromCode(i), 0, i, [], [SearchOperator.Sample], []) with { Fitness = f }).ToList();
        var weighted = RankWeighting.TopK(told, 3);
        Assert.Equal([Nb201Cell.FromCode(1), Nb201Cell.FromCode(1), Nb201Cell.FromCode(1), Nb201Cell.FromCode(3), Nb201Cell.FromCode(3), Nb201Cell.FromCode(2)], weighted);

        var seen = new List<int>();
        var online = new Nb201OnlinePrior(cells => { seen.Add(cells.Count); return Nb201CountPrior.Of(cells); }, 10);
        var ga = new GeneticAlgorithm<Nb201Cell>(new Nb201Space(), new GeneticAlgorithmConfig { Population = 6, Generations = 4 }, online, new Seeds(1));
        var oracle = new Nb201Oracle(SyntheticNb201.Table, new Nb201Protocol { BudgetSeconds = 1e9, Signal = Nb201Signal.Mean });
        BudgetedSearch.Spend(ga, oracle);
        Assert.Equal(5, online.Refits);
        Assert.Equal([45, 55, 55, 55, 55], seen); // 6 evaluations: weights 10..5; then the top 10 of 12, 18, ...
    }

    [Fact]
    public void TransferBaselinesAndOnlineCountsRunWithinBudgetIndependentOfThreads()
    {
        var table = SyntheticNb201.Table;
        var corpus = Nb201Corpus.Top(table, 50);
        var names = new[] { "rea", "count-online", "ga-count", "rs-corpus", "corpus-top", "corpus-vote" };
        var config = new Nb201BenchConfig { Runs = 12, Seed = 4, Strategies = names, Protocol = new Nb201Protocol { BudgetSeconds = 3000 }, CorpusSize = 50 };
        var one = new Nb201Benchmark(table, config with { Threads = 1 }, null, corpus).Run();
        var two = new Nb201Benchmark(table, config with { Threads = 2 }, null, corpus).Run();
        Assert.Equal(one.Select(r => (r.Strategy, r.Best.Index, r.Queries)), two.Select(r => (r.Strategy, r.Best.Index, r.Queries)));
        Assert.All(one.Where(r => r.Strategy is "corpus-top"), r => Assert.Equal((corpus[0], 0), (r.Best.Cell, r.Queries)));
        Assert.All(one.Where(r => r.Strategy is "corpus-vote"), r => Assert.Equal(Nb201CountPrior.Majority(corpus), r.Best.Cell));
        Assert.All(one.Where(r => r.Strategy == "rs-corpus"), r => Assert.Contains(r.Best.Cell, corpus));
        Assert.All(one.Where(r => r.Queries > 0), r => Assert.InRange(r.Spent, 3000 - 6 * 17, 3000));
        Assert.Equal(Nb201Strategies.Transfer, Nb201Strategies.Track("ga-count"));
        Assert.Equal(Nb201Strategies.NoOutsideKnowledge, Nb201Strategies.Track("count-online"));
        var summary = Nb201StrategySummary.Of(one, table.Records.Max(r => r.Cifar10Test)).ToDictionary(s => s.Strategy);
        Assert.Equal(table.Records.Max(r => r.Cifar10Test) - summary["rea"].Metrics[1].Mean, summary["rea"].Regret.Mean, 9);
        Assert.Contains("the gpt-online strategy needs an online GPT", Assert.Throws<GptNasException>(() =>
            new Nb201Benchmark(table, config with { Strategies = ["gpt-online"] }, null, corpus).Run()).Message);
    }
}
