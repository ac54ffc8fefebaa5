namespace GptNas.Tests;

public class ReportTests
{
    private static readonly byte[] PngMagic = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void ReportFolderHoldsRealPlotsOfTheRunAndAnHtmlPage()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var run = Path.Combine(temp.Path, "run");
        var (code, _, stderr) = CliRunner.Run("search", "--preset", "smoke", "--no-gpt", "--data", data, "--out", run, "--set", "proxy.train_fraction=1");
        Assert.True(code == 0, stderr);

        var (reportCode, _, reportError) = CliRunner.Run("report", "--run", run);
        Assert.True(reportCode == 0, reportError);
        var folder = Path.Combine(run, "report");
        var html = File.ReadAllText(Path.Combine(folder, "index.html"));
        foreach (var png in new[] { "best_fitness.png", "accuracy_vs_parameters.png", "final_loss.png", "final_accuracy.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, png));
            Assert.Equal(PngMagic, bytes[..8]);
            Assert.True(bytes.Length > 5000, $"{png} is only {bytes.Length} bytes");
            Assert.Contains($"src=\"{png}\"", html);
        }
        Assert.Contains("without GPT", html);
        Assert.Contains("<td>12</td>", html); // 4 individuals x 3 generations (0..2) of the smoke preset
    }

    [Fact]
    public void ReportOfAFolderWithoutAStudySaysWhatToGive()
    {
        using var temp = new TempFolder();
        var (code, _, stderr) = CliRunner.Run("report", "--run", temp.Path);
        Assert.Equal(2, code);
        Assert.Contains("holds no study.db", stderr);
    }
}
