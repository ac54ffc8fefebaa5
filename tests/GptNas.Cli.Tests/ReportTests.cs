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

        var (evaluated, _, evaluateError) = CliRunner.Run("evaluate", "--run", run, "--threads", "1");
        Assert.True(evaluated == 0, evaluateError);
        var (reportCode, _, reportError) = CliRunner.Run("report", "--run", run);
        Assert.True(reportCode == 0, reportError);
        var folder = Path.Combine(run, "report");
        var html = File.ReadAllText(Path.Combine(folder, "index.html"));
        foreach (var png in new[] { "best_fitness.png", "accuracy_vs_parameters.png", "final_loss.png", "final_accuracy.png", "confusion.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, png));
            Assert.Equal(PngMagic, bytes[..8]);
            Assert.True(bytes.Length > 5000, $"{png} is only {bytes.Length} bytes");
            Assert.Contains($"src=\"{png}\"", html);
        }
        Assert.Contains("without GPT", html);
        Assert.Contains("Evaluation of the final models", html);
        Assert.Contains("<td>12</td>", html); // 4 individuals x 3 generations (0..2) of the smoke preset
    }

    public static TheoryData<string> SharedStores()
    {
        var stores = new TheoryData<string> { "sqlite" };
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("GPTNAS_TEST_POSTGRES"))) stores.Add("postgres");
        return stores;
    }

    /// <summary>A search given --storage (workers on several machines) is listed and reported from that store.</summary>
    [Theory]
    [MemberData(nameof(SharedStores))]
    public void TrialsAndReportReadAStudyFromTheStoreTheSearchWasGiven(string backend)
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        // The study is named after the run folder, so a unique folder name keeps runs apart in a shared server.
        var run = Path.Combine(temp.Path, $"run-{Guid.NewGuid():N}");
        var storage = backend == "postgres" ? Environment.GetEnvironmentVariable("GPTNAS_TEST_POSTGRES")! : Path.Combine(temp.Path, "shared.db");
        var (code, _, stderr) = CliRunner.Run("search", "--preset", "smoke", "--no-gpt", "--data", data, "--out", run, "--storage", storage);
        Assert.True(code == 0, stderr);
        Assert.False(File.Exists(Path.Combine(run, "study.db")));

        var (listCode, listed, listError) = CliRunner.Run("trials", "list", "--run", run, "--storage", storage, "--json");
        Assert.True(listCode == 0, listError);
        var trials = System.Text.Json.JsonDocument.Parse(listed).RootElement;
        Assert.Equal(12, trials.GetArrayLength());
        // Each trial names its resolution schedule: the space samples as many down-samplings as its limit allows.
        Assert.All(trials.EnumerateArray(), t => Assert.InRange(t.GetProperty("downsamples").GetInt32(), 0, 3));
        Assert.Contains(trials.EnumerateArray(), t => t.GetProperty("downsamples").GetInt32() > 0);
        var (reportCode, _, reportError) = CliRunner.Run("report", "--run", run, "--storage", storage);
        Assert.True(reportCode == 0, reportError);
        var html = File.ReadAllText(Path.Combine(run, "report", "index.html"));
        Assert.Contains("<td>12</td>", html);
        var downsamples = trials.EnumerateArray().DistinctBy(t => t.GetProperty("hash").GetString()).Average(t => t.GetProperty("downsamples").GetInt32());
        Assert.Contains($"<td>{downsamples.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}</td>", html);

        var (missingCode, _, missingError) = CliRunner.Run("trials", "list", "--run", Path.Combine(temp.Path, "elsewhere"), "--storage", storage);
        Assert.Equal(2, missingCode);
        Assert.Contains("no study named 'elsewhere'", missingError);
    }

    [Fact]
    public void AMistypedStorageIsRefusedAndNotCreated()
    {
        using var temp = new TempFolder();
        var storage = Path.Combine(temp.Path, "typo", "shared.db");
        var (code, _, stderr) = CliRunner.Run("trials", "list", "--run", temp.Path, "--storage", storage);
        Assert.Equal(2, code);
        Assert.Contains($"no study store at '{storage}'", stderr);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "typo")));
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
