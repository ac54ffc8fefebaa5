using System.Globalization;
using System.Text;
using System.Text.Json;
using GptNas.Spaces.NasBench201;

namespace GptNas.Tests;

/// <summary><c>gptnas bench nb201</c> on a synthetic table with the real file's columns.</summary>
public class BenchCommandTests
{
    private static string FullTable(TempFolder folder)
    {
        var text = new StringBuilder("index,arch,cifar10_valid_acc,cifar10_test_acc,cifar100_test_acc,imagenet16_test_acc,cifar10_valid_acc_12ep,imagenet16_valid_acc_12ep,epoch_time_s\n");
        for (var code = 0; code < Nb201Cell.CellCount; code++)
        {
            var cell = Nb201Cell.FromCode(code);
            var score = cell.Ops.Sum(op => op == 3 ? 3 : op == 2 ? 2 : op == 1 ? 1 : 0);
            text.Append(CultureInfo.InvariantCulture, $"{code},{cell},{80 + score},{82 + score},{60 + score},{30 + score},{70 + score},{40 - score},{10 + score}\n");
        }
        return folder.File("nasbench201.csv", text.ToString());
    }

    [Fact]
    public void RunsTheStrategiesAndWritesJsonWithTheProtocol()
    {
        using var folder = new TempFolder();
        var table = FullTable(folder);
        var output = Path.Combine(folder.Path, "out", "r.json");
        var (code, stdout, stderr) = CliRunner.Run("bench", "nb201", "--table", table, "--runs", "4", "--strategies", "rs,rea", "--budget-seconds", "3000", "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("12 x epoch_time_s x 0.5", stdout);
        Assert.Contains("repeated queries charged again", stdout);
        Assert.Contains("one training seed drawn per query", stdout);
        Assert.Contains("93.92", stdout); // the published REA row next to ours
        var json = JsonDocument.Parse(File.ReadAllText(output)).RootElement;
        Assert.Equal(8, json.GetProperty("results").GetArrayLength());
        Assert.Equal("seed", json.GetProperty("signal").GetString());
        Assert.Equal("roulette", json.GetProperty("ga").GetProperty("selection").GetString());
        Assert.All(json.GetProperty("results").EnumerateArray(), r => Assert.True(r.GetProperty("simulated_seconds").GetDouble() <= 3000));
    }

    [Fact]
    public void NovelOffspringSpendEveryQueryOfTheGaOnANewCell()
    {
        using var folder = new TempFolder();
        var table = FullTable(folder);
        JsonElement Ga(params string[] extra)
        {
            var output = Path.Combine(folder.Path, $"r{extra.Length}.json");
            var (code, _, stderr) = CliRunner.Run(["bench", "nb201", "--table", table, "--runs", "6", "--strategies", "ga", "--budget-seconds", "12000",
                "--ga-selection", "tournament", "--out", output, .. extra]);
            Assert.True(code == 0, stderr);
            return JsonDocument.Parse(File.ReadAllText(output)).RootElement;
        }
        var (repeats, novel) = (Ga(), Ga("--ga-novel"));
        Assert.False(repeats.GetProperty("ga").GetProperty("novel_offspring").GetBoolean());
        Assert.True(novel.GetProperty("ga").GetProperty("novel_offspring").GetBoolean());
        static (double Queries, double Distinct) Counts(JsonElement json)
        {
            var ga = json.GetProperty("strategies").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "ga");
            return (ga.GetProperty("queries").GetProperty("mean").GetDouble(), ga.GetProperty("distinct").GetProperty("mean").GetDouble());
        }
        // On a table this easy the tournament GA converges and repeats itself; novel offspring keep every query new.
        Assert.True(Counts(repeats).Distinct < 0.9 * Counts(repeats).Queries, $"{Counts(repeats)}");
        Assert.Equal(Counts(novel).Queries, Counts(novel).Distinct);
    }

    [Theory]
    [InlineData("--strategies", "rs,bohb", "unknown strategy 'bohb'")]
    [InlineData("--out", "r.txt", "must end in .csv or .json")]
    [InlineData("--repeats", "sometimes", "--repeats is 'sometimes'")]
    [InlineData("--runs", "0", "--runs is 0")]
    [InlineData("--signal", "noisy", "--signal is 'noisy'")]
    [InlineData("--ga-selection", "best", "--ga-selection is 'best'; use roulette or tournament")]
    [InlineData("--noise-scale", "-1", "the noise scale is -1")]
    public void BadOptionsGetOneLineAndExitCode2(string option, string value, string message)
    {
        using var folder = new TempFolder();
        var (code, _, stderr) = CliRunner.Run("bench", "nb201", "--table", Path.Combine(folder.Path, "missing.csv"), option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void AMissingTableIsNamed()
    {
        using var folder = new TempFolder();
        var missing = Path.Combine(folder.Path, "missing.csv");
        var (code, _, stderr) = CliRunner.Run("bench", "nb201", "--table", missing, "--runs", "1");
        Assert.Equal(2, code);
        Assert.Contains($"'{missing}' does not exist", stderr);
    }
}
