using System.Text.Json;

namespace GptNas.Tests;

/// <summary><c>gptnas bench proxy</c> and <c>search --strategy random</c> on the tiny data set, smoke-sized.</summary>
public class ProxyBenchCommandTests
{
    [Fact]
    public void BenchProxyRanksSampledAndSearchedArchitecturesAndPrintsJson()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var run = Path.Combine(temp.Path, "run");
        var (searched, _, searchError) = CliRunner.Run("search", "--preset", "smoke", "--strategy", "random", "--data", data, "--out", run,
            "--set", "ga.generations=0", "--set", "proxy.train_fraction=1", "--threads", "1");
        Assert.True(searched == 0, searchError);

        var (code, stdout, stderr) = CliRunner.Run("bench", "proxy", "--preset", "smoke", "--data", data, "--architectures", "3", "--run", run,
            "--set", "proxy.train_fraction=1", "--final-images", "120", "--bf16", "--variant", "full: acceleration=full", "--json", "--threads", "1");
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(6, json.GetProperty("architectures").GetInt32());
        var bf16 = json.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("proxy").GetString() == "bf16" && v.GetProperty("set").GetString() == "all");
        foreach (var (key, value) in new[] { "kendall_tau", "spearman_rho", "proxy_seconds", "final_seconds" }.Select(k => (k, json.GetProperty(k)))
                     .Append(("bf16 kendall_tau_against_base", bf16.GetProperty("kendall_tau_against_base"))))
        {
            // A tau is NaN ("NaN" in JSON) when one side scored every architecture alike, as one epoch on tiny data may.
            Assert.True(value.ValueKind == JsonValueKind.Number || value.GetString() == "NaN", $"{key}: {value}");
        }
        Assert.True(json.GetProperty("proxy_seconds").GetDouble() > 0);
        Assert.Equal(["sampled", "search"], json.GetProperty("sets").EnumerateArray().Select(s => s.GetProperty("set").GetString()));
        Assert.Equal(6, json.GetProperty("rows").GetArrayLength());
        // Each variant is its own proxy (the preset's with its assignments), scored on every architecture and ranked per set and pooled.
        Assert.Equal(3 * 3, json.GetProperty("variants").GetArrayLength()); // bf16, full and the parameter count, per set and pooled
        var byParameters = json.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("proxy").GetString() == "parameters" && v.GetProperty("set").GetString() == "all");
        Assert.Equal(0, byParameters.GetProperty("proxy_seconds").GetDouble());
        Assert.Equal(["bf16", "full", "proxy"], byParameters.GetProperty("kendall_tau_against").EnumerateObject().Select(p => p.Name).Order());
        var settings = json.GetProperty("variant_settings").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("proxy"));
        Assert.Equal("full", settings["full"].GetProperty("acceleration").GetString());
        Assert.False(settings["full"].GetProperty("training").GetProperty("bf16_autocast").GetBoolean());
        Assert.Equal("predicted", settings["bf16"].GetProperty("acceleration").GetString());
        Assert.True(settings["bf16"].GetProperty("training").GetProperty("bf16_autocast").GetBoolean());
        var rows = json.GetProperty("rows").EnumerateArray().ToList();
        Assert.All(rows, r => Assert.Equal(["bf16", "full"], r.GetProperty("variants").EnumerateObject().Select(p => p.Name).Order()));

        // With --rows, a second run (after a crash, or asked for more architectures) reuses what the first scored.
        string[] kept = ["bench", "proxy", "--preset", "smoke", "--data", data, "--architectures", "2", "--set", "proxy.train_fraction=1",
            "--final-images", "120", "--json", "--threads", "1", "--rows", Path.Combine(temp.Path, "rows.jsonl")];
        var first = CliRunner.Run(kept);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(temp.Path, "rows.jsonl")).Length); // the settings, then a row per architecture
        var again = CliRunner.Run([.. kept[..7], "3", .. kept[8..]]);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(2, again.Stderr.Split('\n').Count(l => l.Contains("scored before")));
        var (firstRows, againRows) = (JsonDocument.Parse(first.Stdout).RootElement.GetProperty("rows"), JsonDocument.Parse(again.Stdout).RootElement.GetProperty("rows"));
        Assert.Equal(3, againRows.GetArrayLength());
        Assert.Equal(firstRows[1].GetProperty("final").GetDouble(), againRows[1].GetProperty("final").GetDouble());
        var other = CliRunner.Run([.. kept, "--set", "final.epochs=2"]);
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("other settings", other.Stderr);

        var (bad, _, error) = CliRunner.Run("bench", "proxy", "--preset", "smoke", "--data", data, "--variant", "short: training.epochs=0");
        Assert.Equal(2, bad);
        Assert.Contains("--variant 'short': proxy.training.epochs", error);
    }

    [Fact]
    public void BenchProxyAgainstRetestRanksTheProxyAgainstItselfFromOtherSeeds()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var rows = Path.Combine(temp.Path, "rows.jsonl");
        string[] retest = ["bench", "proxy", "--preset", "smoke", "--data", data, "--architectures", "3", "--set", "proxy.train_fraction=1",
            "--against", "retest", "--threads", "1", "--rows", rows];
        var (code, stdout, stderr) = CliRunner.Run([.. retest, "--json"]);
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("retest", json.GetProperty("against").GetString());
        Assert.All(json.GetProperty("rows").EnumerateArray(), r => Assert.InRange(r.GetProperty("final").GetDouble(), 0, 1));
        Assert.Equal(3, stderr.Split('\n').Count(l => l.Contains(", retest ")));

        // The table says what the proxies were ranked against; rows kept against the retest never mix with a final recipe's.
        var printed = CliRunner.Run(retest);
        Assert.True(printed.ExitCode == 0, printed.Stderr);
        Assert.Contains("retrained from other seeds", printed.Stdout);
        var mixed = CliRunner.Run([.. retest[..^6], "--threads", "1", "--rows", rows]);
        Assert.Equal(2, mixed.ExitCode);
        Assert.Contains("other settings", mixed.Stderr);
        var (bad, _, error) = CliRunner.Run("bench", "proxy", "--preset", "smoke", "--data", data, "--against", "test");
        Assert.Equal(2, bad);
        Assert.Contains("--against is 'test'; use final or retest", error);
    }

    [Fact]
    public void ASearchWithTwoRungsStoresThePromotedAsRungOneTrialsOnMoreImages()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var run = Path.Combine(temp.Path, "run");
        var (code, _, stderr) = CliRunner.Run("search", "--preset", "smoke", "--no-gpt", "--data", data, "--out", run, "--set", "ga.generations=0",
            "--set", "proxy.train_fraction=1", "--set", "proxy.rungs=2", "--set", "proxy.rung_factor=2");
        Assert.True(code == 0, stderr);
        var (listed, stdout, listError) = CliRunner.Run("trials", "list", "--run", run, "--json");
        Assert.True(listed == 0, listError);
        var trials = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(4 + 2, trials.Count); // a population of 4 at rung 0, its best 2 at rung 1
        var images = trials.Select(t => t.GetProperty("metrics").GetProperty("proxy_images").GetDouble()).ToList();
        Assert.Equal(2, images.Count(i => i == images.Max()));
        Assert.Equal(2 * images.Min(), images.Max(), 0);
        Assert.Equal(2, trials.Count(t => t.GetProperty("metrics").TryGetProperty("rung", out var rung) && rung.GetDouble() == 1));
    }

    [Fact]
    public void UnderATimeBudgetRandomSamplingStopsOnceTheSecondsAreSpentAndTrainsItsBest()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var run = Path.Combine(temp.Path, "run");
        // Any proxy spends a millisecond, so the first population spends the budget; without it random sampling has no end.
        string[] search = ["search", "--preset", "smoke", "--strategy", "random", "--data", data, "--out", run, "--set", "budget_seconds=0.001",
            "--set", "proxy.train_fraction=1", "--threads", "1"];
        var (code, stdout, stderr) = CliRunner.Run(search);
        Assert.True(code == 0, stderr);
        Assert.Contains("budget: ", stdout + stderr);
        var (listed, trials, listError) = CliRunner.Run("trials", "list", "--run", run, "--json");
        Assert.True(listed == 0, listError);
        var population = JsonDocument.Parse(CliRunner.Run("search", "--preset", "smoke", "--show-config").Stdout).RootElement.GetProperty("ga").GetProperty("population").GetInt32();
        Assert.Equal(population, JsonDocument.Parse(trials).RootElement.GetArrayLength());
        Assert.True(File.Exists(Path.Combine(run, "model.bin")));
    }

    [Fact]
    public void RandomStrategyIsStoredWithTheStudyAndNamedInTheFolder()
    {
        var (code, stdout, stderr) = CliRunner.Run("search", "--strategy", "random", "--show-config");
        Assert.True(code == 0, stderr);
        Assert.Equal("random", JsonDocument.Parse(stdout).RootElement.GetProperty("strategy").GetString());
        var (bad, _, error) = CliRunner.Run("bench", "proxy", "--architectures", "1");
        Assert.Equal(2, bad);
        Assert.Contains("at least 2", error);
    }
}
