using System.Globalization;
using System.Text;
using System.Text.Json;
using GptNas.Search;
using GptNas.Search.Strategies;
using GptNas.Spaces.NasBench201;

namespace GptNas.Tests;

/// <summary>
/// A synthetic NB201 table with the real file's columns: the CIFAR numbers reward 3x3 convolutions (optimum: all
/// six edges nor_conv_3x3), ImageNet16's 12-epoch validation rewards average pooling instead, so a corpus ranked
/// by it is easy to tell from one ranked by CIFAR. A cell costs 12 x epoch_time_s x 0.5 = 6 x (5 + 2 x #conv3x3).
/// </summary>
internal static class SyntheticNb201
{
    public const string Header = "index,arch,cifar10_valid_acc,cifar10_test_acc,cifar100_test_acc,imagenet16_test_acc,cifar10valid_test_acc," +
                                 "cifar10_test_acc_nb201v11,cifar10_valid_acc_12ep,cifar10_test_acc_12ep,cifar100_valid_acc_12ep,cifar100_test_acc_12ep," +
                                 "imagenet16_valid_acc_12ep,imagenet16_test_acc_12ep,cifar10_test_acc_1seed,params_m,flops_m,latency_ms,epoch_time_s,train_time_200ep_s";

    private static readonly double[] OpScore = [0, 1, 2, 3, 0.5];

    public static double Signal(Nb201Cell cell) => 60 + Enumerable.Range(0, 6).Sum(e => OpScore[cell[e]] * (1 + 0.1 * e));
    public static double EpochSeconds(Nb201Cell cell) => 5 + 2 * cell.Ops.Count(op => op == 3);

    public static string Row(Nb201Cell cell, int index)
    {
        var signal = Signal(cell);
        var pools = cell.Ops.Count(op => op == 4);
        double[] values = [signal + 20, signal + 22, signal - 5, signal - 30, signal + 21, signal + 22, signal, signal + 3, signal - 20, signal - 21,
            30 + pools * 2 + cell[0] * 0.01, 29 + pools, signal + 22, 0.5, 50, 10, EpochSeconds(cell), 200 * EpochSeconds(cell)];
        return $"{index},{cell}," + string.Join(',', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
    }

    public static string Csv(IEnumerable<Nb201Cell> cells) =>
        Header + "\n" + string.Join("\n", cells.Select((c, i) => Row(c, i))) + "\n";

    private static readonly Lazy<Nb201Table> Full = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("gptnas-nb201-").FullName, "nasbench201.csv");
        File.WriteAllText(path, Csv(Enumerable.Range(0, Nb201Cell.CellCount).Select(Nb201Cell.FromCode)));
        return Nb201Table.Load(path);
    });

    /// <summary>All 15,625 cells, written once per test process.</summary>
    public static Nb201Table Table => Full.Value;
}

/// <summary>A prior that rebuilds every eliminated edge as one op (prob 1).</summary>
internal static class DeltaPrior
{
    public static Nb201PrefixPrior Of(int op) =>
        new(Enumerable.Range(0, Nb201PrefixPrior.PrefixCount)
            .Select(_ => (IReadOnlyList<double>)Enumerable.Range(0, Nb201Cell.OpCount).Select(o => o == op ? 1.0 : 0.0).ToArray()).ToArray());
}

public class NasBench201Tests : IDisposable
{
    private const string BestCell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
    private readonly string _folder = Directory.CreateTempSubdirectory("gptnas-nb201-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void EveryCellRoundTripsThroughItsStringAndCode()
    {
        var strings = new HashSet<string>();
        for (var code = 0; code < Nb201Cell.CellCount; code++)
        {
            var cell = Nb201Cell.FromCode(code);
            Assert.Equal(code, cell.Code);
            Assert.Equal(cell, Nb201Cell.Parse(cell.ToString()));
            strings.Add(cell.ToString());
        }
        Assert.Equal(Nb201Cell.CellCount, strings.Count);
        var best = Nb201Cell.Parse(BestCell);
        Assert.Equal(BestCell, best.ToString());
        Assert.Equal([3, 3, 3, 1, 3, 2], best.Ops);
        Assert.Equal("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", Nb201Cell.FromCode(0).ToString());
    }

    [Theory]
    [InlineData("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|", "expected 3 nodes")]
    [InlineData("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "'conv~0' is not op~input")]
    [InlineData("|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2 needs 2 inputs, found 1")]
    [InlineData("|none~0|+|none~1|none~0|+|none~0|none~1|none~2|", "input 0 of node 2 is written 'none~1'")]
    [InlineData("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "must start and end with '|'")]
    public void MalformedCellsAreRefusedWithTheReason(string text, string message)
    {
        var error = Assert.Throws<GptNasException>(() => Nb201Cell.Parse(text));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void MutationChangesOneEdgeAsNb201sReaPicksIt()
    {
        var space = new Nb201Space();
        var random = new Random(5);
        var counts = new int[6];
        for (var i = 0; i < 36_000; i++)
        {
            var parent = space.Sample(random);
            var (child, name) = space.Mutate(parent, random);
            Assert.Equal(SearchOperator.ChangeOp, name);
            var changed = Enumerable.Range(0, 6).Where(e => child[e] != parent[e]).ToList();
            Assert.Single(changed);
            counts[changed[0]]++;
        }
        // A node uniformly, then one of its inputs: 1/3, 1/6, 1/6, 1/9, 1/9, 1/9.
        double[] expected = [1 / 3.0, 1 / 6.0, 1 / 6.0, 1 / 9.0, 1 / 9.0, 1 / 9.0];
        for (var e = 0; e < 6; e++) Assert.InRange(counts[e] / 36_000.0, expected[e] - 0.01, expected[e] + 0.01);
    }

    [Fact]
    public void CrossoverSwapsTailsAtOneCut()
    {
        var space = new Nb201Space();
        var (a, b) = (Nb201Cell.Parse(BestCell), Nb201Cell.FromCode(0));
        var random = new Random(1);
        for (var i = 0; i < 50; i++)
        {
            var (first, second) = space.Crossover(a, b, random);
            var cut = Enumerable.Range(1, 5).Single(c => first.Ops.SequenceEqual(a.Ops.Take(c).Concat(b.Ops.Skip(c))));
            Assert.Equal(b.Ops.Take(cut).Concat(a.Ops.Skip(cut)), second.Ops);
        }
        Assert.Equal(6, space.GeneCount(a));
        Assert.Equal(a, space.Decode(space.Encode(a)));
        Assert.Equal(space.Hash(a), space.Hash(Nb201Cell.Parse(BestCell)));
        Assert.NotEqual(space.Hash(a), space.Hash(b));
    }

    [Fact]
    public void TableReadsTheColumnsItNeedsAndNamesFileAndColumnInErrors()
    {
        var cells = new[] { Nb201Cell.Parse(BestCell), Nb201Cell.FromCode(0) };
        var table = Nb201Table.Load(Write("t.csv", SyntheticNb201.Csv(cells)));
        Assert.Equal(2, table.Records.Count);
        var best = table[cells[0]];
        Assert.Equal(0, best.Index);
        Assert.Equal(SyntheticNb201.Signal(cells[0]), best.Cifar10Valid12, 9);
        Assert.Equal(SyntheticNb201.EpochSeconds(cells[0]), best.EpochSeconds, 9);
        Assert.Equal(64, table.Sha256.Length);

        var missing = Assert.Throws<GptNasException>(() => table[Nb201Cell.FromCode(1)]);
        Assert.Contains("has no row for |none~0|", missing.Message);
        Assert.Contains("holds 2 of 15625", missing.Message);

        var noColumn = Write("no-column.csv", SyntheticNb201.Csv(cells).Replace("cifar10_valid_acc_12ep", "c10_12"));
        var e1 = Assert.Throws<GptNasException>(() => Nb201Table.Load(noColumn));
        Assert.Contains($"'{noColumn}' has no column 'cifar10_valid_acc_12ep'", e1.Message);

        var lines = SyntheticNb201.Csv(cells).Split('\n');
        var fields = lines[2].Split(',');
        fields[18] = "fast";
        lines[2] = string.Join(',', fields);
        var badNumber = Write("bad-number.csv", string.Join('\n', lines));
        var e2 = Assert.Throws<GptNasException>(() => Nb201Table.Load(badNumber));
        Assert.Contains("line 3 column 'epoch_time_s': 'fast' is not a number", e2.Message);

        var repeated = Write("repeated.csv", SyntheticNb201.Csv([cells[0], cells[0]]));
        Assert.Contains("repeats line 2", Assert.Throws<GptNasException>(() => Nb201Table.Load(repeated)).Message);
        Assert.Contains("does not exist", Assert.Throws<GptNasException>(() => Nb201Table.Load(Path.Combine(_folder, "none.csv"))).Message);
        var badArch = Write("bad-arch.csv", SyntheticNb201.Csv(cells).Replace("nor_conv_1x1~2", "conv~2"));
        Assert.Contains("line 2 column 'arch': ", Assert.Throws<GptNasException>(() => Nb201Table.Load(badArch)).Message);
    }

    [Fact]
    public void OracleChargesTheCostModelAndRefusesTheQueryThatWouldOvershoot()
    {
        var table = SyntheticNb201.Table;
        var best = Nb201Cell.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");
        var cheap = Nb201Cell.FromCode(0);
        var protocol = new Nb201Protocol { BudgetSeconds = 200, Signal = Nb201Signal.Mean };
        Assert.Equal(12 * 17 * 0.5, protocol.Cost(table[best])); // 102 s
        Assert.Equal(30, protocol.Cost(table[cheap]));

        var oracle = new Nb201Oracle(table, protocol);
        Assert.True(oracle.TryQuery(cheap, out var low));
        Assert.True(oracle.TryQuery(best, out var high));
        Assert.True(high > low);
        Assert.True(oracle.TryQuery(cheap, out _)); // a repeat is charged again (NB201): 162 s
        Assert.Equal(162, oracle.Spent, 9);
        Assert.False(oracle.TryQuery(best, out _)); // 264 > 200: refused, nothing charged
        Assert.False(oracle.TryQuery(cheap, out _)); // 192 would fit, but the search has ended
        Assert.True(oracle.Exhausted);
        Assert.Equal((3, 2, 162.0), (oracle.Queries, oracle.Distinct, oracle.Spent));
        Assert.Equal(best, oracle.Best!.Cell);

        var free = new Nb201Oracle(table, protocol with { ChargeRepeats = false });
        for (var i = 0; i < 10; i++) Assert.True(free.TryQuery(best, out _));
        Assert.Equal(102, free.Spent, 9);
        Assert.Contains("12 x epoch_time_s x 0.5", protocol.Describe());
    }

    [Fact]
    public void TheIncumbentIsTheFirstOfEqualSignals()
    {
        var table = SyntheticNb201.Table;
        var a = Nb201Cell.Parse("|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|");
        var b = Nb201Cell.Parse("|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|");
        var oracle = new Nb201Oracle(table, new Nb201Protocol { Signal = Nb201Signal.Mean });
        Assert.True(oracle.TryQuery(a, out var fa));
        Assert.True(oracle.TryQuery(b, out var fb));
        Assert.True(fb > fa); // later edges weigh more in the synthetic landscape
        var c = Nb201Cell.Parse("|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|");
        Assert.True(oracle.TryQuery(c, out _));
        Assert.Same(table[b], oracle.Best);
    }

    private static Nb201BenchConfig Config(params string[] strategies) => new()
    {
        Runs = 12, Seed = 4, Strategies = strategies, Protocol = new Nb201Protocol { BudgetSeconds = 3000 }, CorpusSize = 50,
    };

    [Fact]
    public void StrategiesStayWithinBudgetAndRunsDoNotDependOnThreads()
    {
        var table = SyntheticNb201.Table;
        var corpus = Nb201Corpus.Top(table, 50);
        var names = new[] { "rs", "rea", "ga", "gpt-nas", "rea-warm", "ga-uniform" };
        var one = new Nb201Benchmark(table, Config(names) with { Threads = 1 }, DeltaPrior.Of(3), corpus).Run();
        var two = new Nb201Benchmark(table, Config(names) with { Threads = 2 }, DeltaPrior.Of(3), corpus).Run();
        Assert.Equal(one, two);
        Assert.Equal(names.Length * 12, one.Count);
        Assert.All(one, r => Assert.InRange(r.Spent, 3000 - 6 * 17, 3000)); // stopped by the budget, never over it
        Assert.True(one.Where(r => r.Strategy == "rs").Select(r => r.Best.Cell).Distinct().Count() > 1, "runs must differ");
        var third = new Nb201Benchmark(table, Config(names) with { Seed = 5 }, DeltaPrior.Of(3), corpus).Run();
        Assert.NotEqual(one.Select(r => r.Best.Index), third.Select(r => r.Best.Index));
    }

    [Fact]
    public void EvolutionBeatsRandomSearchAndAGoodPriorBeatsTheBareGa()
    {
        var table = SyntheticNb201.Table;
        var config = Config("rs", "rea", "ga", "gpt-nas") with { Runs = 30 };
        var results = new Nb201Benchmark(table, config, DeltaPrior.Of(3), null).Run();
        var summary = Nb201StrategySummary.Of(results, table.Records.Max(r => r.Cifar10Test)).ToDictionary(s => s.Strategy);
        double Test(string s) => summary[s].Metrics[1].Mean;
        Assert.True(Test("rea") > Test("rs"), $"rea {Test("rea")} vs rs {Test("rs")}");
        Assert.True(Test("gpt-nas") > Test("ga"), $"gpt-nas {Test("gpt-nas")} vs ga {Test("ga")}");
        var optimum = table[Nb201Cell.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")];
        Assert.True(results.Count(r => r.Strategy == "gpt-nas" && r.Best == optimum) >= 25);
        var difference = Nb201Difference.Of(results, "gpt-nas", "ga")!;
        var paired = results.Where(r => r.Strategy == "gpt-nas").Zip(results.Where(r => r.Strategy == "ga"), (a, b) => a.Best.Cifar10Test - b.Best.Cifar10Test).ToList();
        Assert.Equal(paired.Average(), difference.Metrics[1].Mean, 9);
        Assert.Equal(Spread.Of(paired).Std / Math.Sqrt(30), difference.Metrics[1].StandardError, 9);
    }

    [Fact]
    public void ReaKeepsTheNewestPopulationAndMutatesTheTournamentWinner()
    {
        // On a counting objective every child must be one op away from a member of the population it was bred from.
        var table = SyntheticNb201.Table;
        var queried = new List<Nb201Cell>();
        var objective = new RecordingObjective(new Nb201Oracle(table, new Nb201Protocol { BudgetSeconds = 5000, Signal = Nb201Signal.Mean }), queried);
        BudgetedSearch.Spend(new RegularizedEvolution<Nb201Cell>(new Nb201Space(), new Seeds(2), 10, 3), objective);
        Assert.True(queried.Count > 20);
        for (var i = 10; i < queried.Count; i++)
        {
            var population = queried.Skip(i - 10).Take(10);
            Assert.Contains(population, p => Enumerable.Range(0, 6).Count(e => p[e] != queried[i][e]) == 1);
        }
    }

    private sealed class RecordingObjective(IBudgetedObjective<Nb201Cell> inner, List<Nb201Cell> queried) : IBudgetedObjective<Nb201Cell>
    {
        public bool TryQuery(Nb201Cell candidate, out double fitness)
        {
            if (!inner.TryQuery(candidate, out fitness)) return false;
            queried.Add(candidate);
            return true;
        }
    }

    [Fact]
    public void TheCorpusIsRankedByImageNet16AloneAndTheWarmStartDrawsFromIt()
    {
        var table = SyntheticNb201.Table;
        var corpus = Nb201Corpus.Top(table, 100);
        Assert.All(corpus, c => Assert.True(c.Ops.Count(op => op == 4) >= 4)); // pooling-heavy: not what CIFAR rewards
        Assert.Equal(table.Records.Max(r => r.ImageNet16Valid12), table[corpus[0]].ImageNet16Valid12);
        var drawn = Nb201Corpus.Draw(corpus, 10, new Random(3));
        Assert.Equal(10, drawn.Distinct().Count());
        Assert.All(drawn, c => Assert.Contains(c, corpus));
        Assert.Throws<GptNasException>(() => Nb201Corpus.Top(table, 0));
    }

    [Fact]
    public void PrefixPriorRebuildsOnlyEliminatedEdgesInOrder()
    {
        var indices = new HashSet<int>();
        for (var length = 0; length < 6; length++)
            for (var code = 0; code < (int)Math.Pow(5, length); code++)
            {
                var ops = new int[6];
                for (int k = length - 1, rest = code; k >= 0; k--, rest /= 5) ops[k] = rest % 5;
                indices.Add(Nb201PrefixPrior.PrefixIndex(ops, length));
            }
        Assert.Equal(Enumerable.Range(0, Nb201PrefixPrior.PrefixCount), indices.Order());

        var cell = Nb201Cell.FromCode(0);
        var (rebuilt, predicted) = DeltaPrior.Of(2).Rebuild(cell, [4, 1], new Random(0));
        Assert.Equal([1, 4], predicted);
        Assert.Equal([0, 2, 0, 0, 2, 0], rebuilt.Ops);

        // "Copy the previous edge": each edge's op depends on the rebuilt prefix, so order matters.
        // Prefix index p > 0 ends in op (p - 1) % 5; the empty prefix (p = 0) starts with op 3.
        var copy = new Nb201PrefixPrior(Enumerable.Range(0, Nb201PrefixPrior.PrefixCount)
            .Select(p => (IReadOnlyList<double>)Enumerable.Range(0, 5).Select(op => op == (p == 0 ? 3 : (p - 1) % 5) ? 1.0 : 0).ToArray()).ToArray());
        var (chain, _) = copy.Rebuild(Nb201Cell.FromCode(0), [0, 1, 2, 3, 4, 5], new Random(0));
        Assert.Equal([3, 3, 3, 3, 3, 3], chain.Ops);
        Assert.Throws<GptNasException>(() => new Nb201PrefixPrior([[1.0, 0, 0, 0, 0]]));
    }

    [Fact]
    public void ResultFilesHoldSummariesPublishedRowsAndTheDifference()
    {
        var table = SyntheticNb201.Table;
        var config = Config("ga", "gpt-nas") with { Runs = 4 };
        var benchmark = new Nb201Benchmark(table, config, DeltaPrior.Of(3), null);
        var outcome = new Nb201BenchOutcome(config, benchmark.GaGenerations, table, "test prior", benchmark.Run(), 1.5);
        var csv = Nb201ResultFile.Csv(outcome).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("kind,track,strategy,runs,queries_mean", csv[0]);
        Assert.EndsWith(",regret_mean,regret_se,at_optimum", csv[0]);
        Assert.Contains(csv, l => l.StartsWith("measured,transfer,gpt-nas,4,"));
        Assert.Contains(csv, l => l.StartsWith("measured,no outside knowledge,ga,4,"));
        Assert.Contains(csv, l => l.StartsWith("difference,transfer,gpt-nas - ga,4,"));
        Assert.Contains(csv, l => l.StartsWith("published NB201,,REA,,,,,91.19,0.31,,93.92,0.3,"));
        Assert.All(csv, l => Assert.Equal(csv[0].Count(c => c == ','), l.Count(c => c == ',')));
        var json = JsonDocument.Parse(Nb201ResultFile.Json(outcome)).RootElement;
        Assert.Equal(8, json.GetProperty("results").GetArrayLength());
        Assert.Equal("gpt-nas - ga", json.GetProperty("differences")[0].GetProperty("of").GetString());
        Assert.Contains("12 x epoch_time_s x 0.5", json.GetProperty("protocol").GetString());
        var error = Assert.Throws<GptNasException>(() => Nb201ResultFile.Write(Path.Combine(_folder, "out.txt"), outcome));
        Assert.Contains("must end in .csv or .json", error.Message);
    }

    [Fact]
    public void ConfigRefusesUnknownStrategiesAndTooSmallBudgets()
    {
        Assert.Contains("unknown strategy 'bohb'", Assert.Throws<GptNasException>(() => Config("rs", "bohb").Validate()).Message);
        Assert.Contains("the gpt-nas strategy needs the GPT prior",
            Assert.Throws<GptNasException>(() => new Nb201Benchmark(SyntheticNb201.Table, Config("gpt-nas"), null, null).Run()).Message);
        var tiny = Config("rs") with { Protocol = new Nb201Protocol { BudgetSeconds = 10 } };
        Assert.Contains("cannot pay for one query", Assert.Throws<GptNasException>(() => new Nb201Benchmark(SyntheticNb201.Table, tiny, null, null).Run()).Message);
    }
}
