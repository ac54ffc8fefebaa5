using GptNas.Bench;
using GptNas.Search;
using GptNas.Search.Strategies;
using GptNas.Spaces.NasBench201;
using static TorchSharp.torch;

namespace GptNas.Tests;

public sealed class Nb201OnlineGptTests
{
    public Nb201OnlineGptTests() => set_num_threads(1);

    private static readonly Nb201Cell AllConv3 = Nb201Cell.Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|");

    [Fact]
    public void TheOnlineGptLearnsWhatItIsShownAndEqualSeedsGiveEqualPriors()
    {
        var shown = Enumerable.Repeat(AllConv3, 20).Concat(Enumerable.Repeat(Nb201Cell.FromCode(0), 4)).ToList();
        using var a = new Nb201OnlineGpt(new Nb201OnlineGptConfig(), new Seeds(5));
        using var b = new Nb201OnlineGpt(new Nb201OnlineGptConfig(), new Seeds(5));
        var first = a.Fit(shown);
        var second = a.Fit(shown); // fine-tuned further from the first refit
        var twin = b.Fit(shown);
        int[] prefix = [3, 3, 3, 3, 3];
        for (var length = 0; length < 6; length++)
        {
            Assert.Equal(first.Next(prefix, length), twin.Next(prefix, length));
            Assert.True(second.Next(prefix, length)[3] > 0.7, $"edge {length}: P(conv3x3) {second.Next(prefix, length)[3]}");
        }
    }

    [Fact]
    public void TheGaWithTheOnlineGptIsDeterministicAndRefitsEveryGeneration()
    {
        var table = Nb201TestTable.Load();
        (Nb201Cell Best, int Refits) Run()
        {
            using var gpt = new Nb201OnlineGpt(new Nb201OnlineGptConfig(), new Seeds(9).Child("online-gpt"));
            var prior = new Nb201OnlinePrior(gpt.Fit, 10);
            var ga = new GeneticAlgorithm<Nb201Cell>(new Nb201Space(), new GeneticAlgorithmConfig { Population = 10, Generations = 5 }, prior, new Seeds(9));
            BudgetedSearch.Spend(ga, new Nb201Oracle(table, new Nb201Protocol { BudgetSeconds = 1e9, Signal = Nb201Signal.Mean }));
            return (ga.Result.Best.Candidate, prior.Refits);
        }
        var (best, refits) = Run();
        Assert.Equal(6, refits);
        Assert.Equal(best, Run().Best);
    }
}

/// <summary>Every cell with a signal that rewards 3x3 convolutions, for tests that need a table.</summary>
internal static class Nb201TestTable
{
    private static readonly Lazy<Nb201Table> Table = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("gptnas-nb201-online-").FullName, "nasbench201.csv");
        var header = "index,arch,cifar10_valid_acc,cifar10_test_acc,cifar100_test_acc,imagenet16_test_acc,cifar10_valid_acc_12ep,imagenet16_valid_acc_12ep,epoch_time_s";
        var rows = Enumerable.Range(0, Nb201Cell.CellCount).Select(code =>
        {
            var cell = Nb201Cell.FromCode(code);
            var signal = 60 + cell.Ops.Count(op => op == 3) * 4 + cell.Ops.Count(op => op == 2);
            return $"{code},{cell},{signal + 10},{signal + 12},{signal - 10},{signal - 30},{signal},{50 - signal / 2.0},10";
        });
        File.WriteAllText(path, header + "\n" + string.Join("\n", rows) + "\n");
        return Nb201Table.Load(path);
    });

    public static Nb201Table Load() => Table.Value;
}
