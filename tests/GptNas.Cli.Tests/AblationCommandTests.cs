namespace GptNas.Tests;

/// <summary><c>gptnas ablation</c> on the tiny data set, smoke-sized: seeds split over two calls end in one report.</summary>
public class AblationCommandTests
{
    [Fact]
    public void SeedsRunInTwoCallsIntoOneFolderAreReportedTogether()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var root = Path.Combine(temp.Path, "ablation");
        string[] Ablation(params string[] extra) =>
        [
            "ablation", "--preset", "smoke", "--arms", "random", "--data", data, "--out", root, "--threads", "1",
            "--set", "ga.generations=0", "--set", "proxy.train_fraction=1", "--set", "final.epochs=1", .. extra,
        ];

        var (first, firstOut, firstError) = CliRunner.Run(Ablation("--first-seed", "1", "--seeds", "1"));
        Assert.True(first == 0, firstError);
        Assert.Contains("random sampling, seed 1", firstOut);
        Assert.Contains("over 1 seeds", firstOut);
        Assert.False(Directory.Exists(Path.Combine(root, "random-s0")));

        var (second, secondOut, secondError) = CliRunner.Run(Ablation("--seeds", "1"));
        Assert.True(second == 0, secondError);
        Assert.DoesNotContain("seed 1 in", secondOut);
        Assert.Contains("over 2 seeds", secondOut);
        Assert.True(File.Exists(Path.Combine(root, "report", "index.html")));

        CliAssert.OneLineError(Ablation("--first-seed", "-1"), "--first-seed must be 0 or more");
    }

    /// <summary>The GPT's control: the same GA rebuilding with a uniform predictor, compared with GPT-NAS seed by seed.</summary>
    [Fact]
    public void TheUniformArmRebuildsWithoutTheGptAndIsPairedWithGptNas()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var root = Path.Combine(temp.Path, "ablation");
        var (code, output, error) = CliRunner.Run("ablation", "--preset", "smoke", "--arms", "gpt,uniform", "--seeds", "1", "--data", data, "--out", root,
            "--threads", "1", "--set", "ga.generations=1", "--set", "proxy.train_fraction=1", "--set", "final.epochs=1");
        Assert.True(code == 0, error);
        Assert.Contains("uniform rebuild, seed 0", output);
        Assert.Contains("GPT-NAS minus uniform rebuild, paired over 1 seeds", output);
        Assert.Contains("\"uniform\": true", File.ReadAllText(Path.Combine(root, "uniform-s0", "config.json")));
        Assert.Contains("\"uniform\": false", File.ReadAllText(Path.Combine(root, "gpt-s0", "config.json")));
        Assert.Contains("<td>uniform rebuild</td>", File.ReadAllText(Path.Combine(root, "report", "index.html")));

        CliAssert.OneLineError(["ablation", "--arms", "gpt,uniformm", "--out", root], "unknown arm 'uniformm'; choose from gpt, uniform, nogpt, random");
    }
}
