using System.Text.Json;

namespace GptNas.Tests;

/// <summary><c>gptnas bench prior</c> on the tiny data set, smoke-sized.</summary>
public class PriorBenchCommandTests
{
    [Fact]
    public void BenchPriorPairsTheArmsAndResumesFromItsRows()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var rows = Path.Combine(temp.Path, "rows.jsonl");
        string[] command = ["bench", "prior", "--preset", "smoke", "--data", data, "--pairs", "2", "--set", "proxy.train_fraction=1",
            "--json", "--threads", "1", "--rows", rows];

        var first = CliRunner.Run(command);
        Assert.True(first.ExitCode == 0, first.Stderr);
        var json = JsonDocument.Parse(first.Stdout).RootElement; // stdout is the JSON alone; the progress went to stderr
        Assert.Equal(2, json.GetProperty("pairs").GetInt32());
        foreach (var key in new[] { "gpt_mean", "uniform_mean", "difference", "standard_error", "gpt_seconds", "uniform_seconds" })
            Assert.Equal(JsonValueKind.Number, json.GetProperty(key).ValueKind);
        Assert.True(json.GetProperty("gpt_seconds").GetDouble() > 0);
        var pairs = json.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(json.GetProperty("difference").GetDouble(),
            pairs.Average(p => p.GetProperty("gpt_accuracy").GetDouble() - p.GetProperty("uniform_accuracy").GetDouble()) * 100, 6);
        Assert.Equal(2, first.Stderr.Split('\n').Count(l => l.StartsWith("pair ")));
        // The settings, then a row per training: two a pair, one where both arms rebuilt the same child.
        Assert.Equal(1 + pairs.Sum(p => p.GetProperty("gpt_child").GetString() == p.GetProperty("uniform_child").GetString() ? 1 : 2),
            File.ReadAllLines(rows).Length);

        // Asked for one pair more, a second run reads the two pairs it trained and trains only the third.
        var again = CliRunner.Run([.. command[..7], "3", .. command[8..]]);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(2, again.Stderr.Split('\n').Count(l => l.Contains("trained before")));
        var againPairs = JsonDocument.Parse(again.Stdout).RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, againPairs.Count);
        Assert.Equal(pairs[1].GetProperty("gpt_child").GetString(), againPairs[1].GetProperty("gpt_child").GetString());
        Assert.Equal(pairs[1].GetProperty("uniform_accuracy").GetDouble(), againPairs[1].GetProperty("uniform_accuracy").GetDouble());

        // Another prior trains only its own children: the uniform predictor rebuilds the uniform arm's, all kept.
        var uniformPrior = CliRunner.Run([.. command, "--set", "prior.uniform=true"]);
        Assert.True(uniformPrior.ExitCode == 0, uniformPrior.Stderr);
        Assert.Equal(2, uniformPrior.Stderr.Split('\n').Count(l => l.Contains("trained before")));
        Assert.Equal(0, JsonDocument.Parse(uniformPrior.Stdout).RootElement.GetProperty("difference").GetDouble());

        // Trainings of another proxy are refused, not mixed in.
        var other = CliRunner.Run([.. command, "--set", "proxy.training.epochs=2"]);
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("other settings", other.Stderr);
    }
}
