using System.Text.Json;

namespace GptNas.Tests;

/// <summary><c>gptnas bench recipe</c> on the tiny data set: arms paired by seed, finished runs read back on a rerun.</summary>
public class RecipeBenchCommandTests
{
    [Fact]
    public void ArmsArePairedBySeedAndARerunReadsTheFinishedTrainingsBack()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var root = Path.Combine(temp.Path, "bench");
        string[] bench = ["bench", "recipe", "--data", data, "--epochs", "1", "--seeds", "2", "--out", root, "--threads", "1", "--json",
            "--set", "batch_size=32", "--arm", "plain:", "--arm", "smoothed: label_smoothing=0.2 test_time_flip=true"];

        var (code, stdout, stderr) = CliRunner.Run(bench);
        Assert.True(code == 0, stderr);
        var arms = JsonDocument.Parse(stdout).RootElement.GetProperty("arms").EnumerateArray().ToList();
        Assert.Equal(["plain", "smoothed"], arms.Select(a => a.GetProperty("arm").GetString()));
        var (plain, smoothed) = (arms[0], arms[1]);
        Assert.Equal(2, smoothed.GetProperty("runs").GetInt32());
        var differences = smoothed.GetProperty("top1").EnumerateArray().Zip(plain.GetProperty("top1").EnumerateArray(), (a, b) => a.GetDouble() - b.GetDouble());
        Assert.Equal(differences.Average(), smoothed.GetProperty("difference").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("augmented_mean").ValueKind);
        Assert.Equal(JsonValueKind.Number, smoothed.GetProperty("augmented_mean").ValueKind);
        // The augmented accuracy is paired with the reference's plain one, seed by seed.
        var augmentedDifferences = smoothed.GetProperty("augmented").EnumerateArray().Zip(plain.GetProperty("top1").EnumerateArray(), (a, b) => a.GetDouble() - b.GetDouble());
        Assert.Equal(augmentedDifferences.Average(), smoothed.GetProperty("augmented_difference").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("augmented_difference").ValueKind);
        var stored = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "smoothed-s1", "config.json"))).RootElement.GetProperty("config");
        Assert.Equal(0.2, stored.GetProperty("label_smoothing").GetDouble());
        Assert.Equal(1, stored.GetProperty("seed").GetInt32());

        var weights = Path.Combine(root, "plain-s0", "model.bin");
        var written = File.GetLastWriteTimeUtc(weights);
        var (again, againOut, againError) = CliRunner.Run(bench);
        Assert.True(again == 0, againError);
        Assert.Equal(written, File.GetLastWriteTimeUtc(weights));
        Assert.Equal(stdout, againOut);

        CliAssert.OneLineError(["bench", "recipe", "--data", data, "--out", root, "--arm", "bad name: epochs=1"], "--arm 'bad name: epochs=1'");
        CliAssert.OneLineError(["bench", "recipe", "--data", data, "--out", root, "--arm", "a: label_smoothing=1"], "label_smoothing must be in [0, 1)");
    }
}
