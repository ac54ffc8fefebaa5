using GptNas.Architectures;

namespace GptNas.Tests;

/// <summary><c>gptnas train</c> and <c>arch show</c> on what users actually do: retrain into a folder, fill the disk, bring odd data.</summary>
public class TrainRunTests
{
    private static string Data(TempFolder temp)
    {
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data, train: 120, test: 40);
        return data;
    }

    private static string[] Train(string data, string run, params string[] extra) =>
        ["train", "--arch", "resnet8", "--data", data, "--out", run, "--epochs", "1", "--threads", "1", .. extra];

    private static string Succeeds(string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.True(code == 0, stderr);
        return stdout;
    }

    [Fact]
    public void FailedTrainingLeavesTheFolderAsItWas()
    {
        using var temp = new TempFolder();
        var run = Path.Combine(temp.Path, "run");
        Succeeds(Train(Data(temp), run));
        var files = RunFolderTests.Snapshot(run);
        // Other settings are refused; asked to overwrite, a training that diverges replaces nothing.
        CliAssert.OneLineError(Train(Path.Combine(temp.Path, "data"), run, "--lr", "1e30", "--batch-size", "8"), "holds a training with other settings", "--overwrite");
        CliAssert.OneLineError(Train(Path.Combine(temp.Path, "data"), run, "--lr", "1e30", "--batch-size", "8", "--overwrite"), "loss became");
        Assert.Equal(files.Keys.Where(k => k != "checkpoint.bin"), RunFolderTests.Snapshot(run).Keys.Where(k => k != "checkpoint.bin"));
        Assert.All(files, f => Assert.Equal(f.Value, RunFolderTests.Snapshot(run)[f.Key]));
    }

    [Fact]
    public void RetrainWithAnotherSeedIsRefusedUntouched()
    {
        using var temp = new TempFolder();
        var run = Path.Combine(temp.Path, "run");
        Succeeds(Train(Data(temp), run));
        var files = RunFolderTests.Snapshot(run);
        CliAssert.OneLineError(Train(Path.Combine(temp.Path, "data"), run, "--seed", "1"), "config.seed: 0 -> 1");
        Assert.Equal(files, RunFolderTests.Snapshot(run));
    }

    [Fact]
    public void SetReachesEveryTrainingSettingAndFlipTestTimeAugmentationIsReportedBesideThePlainAccuracy()
    {
        using var temp = new TempFolder();
        var run = Path.Combine(temp.Path, "run");
        var stdout = Succeeds(Train(Data(temp), run, "--set", "test_time_flip=true", "--set", "label_smoothing=0.1", "--set", "alternating_flip=true"));
        Assert.Contains("top-1 with test-time augmentation", stdout);
        var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement;
        Assert.InRange(metrics.GetProperty("test_top1_augmented").GetDouble(), 0, 1);
        var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))).RootElement.GetProperty("config");
        Assert.Equal(0.1, config.GetProperty("label_smoothing").GetDouble());
        Assert.True(config.GetProperty("alternating_flip").GetBoolean());
        CliAssert.OneLineError(Train(Data(temp), Path.Combine(temp.Path, "other"), "--set", "label_smoothing=1"), "label_smoothing must be in [0, 1)");
        CliAssert.OneLineError(Train(Data(temp), Path.Combine(temp.Path, "other"), "--set", "smoothing=0.1"), "unknown key 'smoothing'", "label_smoothing");
    }

    [Fact]
    public void TheFastRecipeIsStoredSettingBySettingAndItsTestTimeAugmentationIsReported()
    {
        using var temp = new TempFolder();
        var run = Path.Combine(temp.Path, "run");
        var stdout = Succeeds(Train(Data(temp), run, "--set", "recipe=fast", "--set", "label_smoothing=0.05"));
        Assert.Contains("top-1 with test-time augmentation", stdout);
        var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "config.json"))).RootElement.GetProperty("config");
        Assert.Equal("fast", config.GetProperty("recipe").GetString());
        Assert.True(config.GetProperty("lookahead").GetBoolean());
        Assert.Equal(1, config.GetProperty("test_time_translate").GetInt32());
        Assert.Equal("cosine", config.GetProperty("schedule").GetString());
        Assert.Equal(0.05, config.GetProperty("label_smoothing").GetDouble());
        CliAssert.OneLineError(Train(Data(temp), Path.Combine(temp.Path, "other"), "--set", "recipe=slow"), "unknown recipe; known: fast, airbench");
    }

    [Fact]
    public void TopFiveIsShownOnlyWithMoreThanFiveClasses()
    {
        using var temp = new TempFolder();
        var stdout = Succeeds(Train(Data(temp), Path.Combine(temp.Path, "run")));
        Assert.Contains("test top-1", stdout);
        Assert.DoesNotContain("top-5", stdout);
    }

    [Fact]
    public void CropPaddingLargerThanTheImageIsWarnedAbout()
    {
        using var temp = new TempFolder();
        var stdout = Succeeds([.. Train(Data(temp), Path.Combine(temp.Path, "run")), "--crop-padding", "100"]);
        Assert.Contains("warning:", stdout);
        Assert.Contains("--crop-padding 100 on 12x12 images", stdout);
    }

    [Fact]
    public void IdxLabelOutOfRangeIsRefusedWithValueAndPosition()
    {
        using var temp = new TempFolder();
        var data = Data(temp);
        var labels = Path.Combine(data, "train-labels-idx1-ubyte.gz");
        var bytes = TinyData.Gunzip(File.ReadAllBytes(labels));
        bytes[8 + 17] = 200; // header, then label 17
        File.WriteAllBytes(labels, TinyData.Gzip(bytes));
        CliAssert.OneLineError(Train(data, Path.Combine(temp.Path, "run")), "train-labels-idx1-ubyte", "label 200 at position 17", "gap");
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "run")));
    }

    [Fact]
    public void IdxTestLabelOutsideTheTrainingClassesIsRefused()
    {
        using var temp = new TempFolder();
        var data = Data(temp);
        var labels = Path.Combine(data, "t10k-labels-idx1-ubyte.gz");
        var bytes = TinyData.Gunzip(File.ReadAllBytes(labels));
        bytes[8 + 3] = 4;
        File.WriteAllBytes(labels, TinyData.Gzip(bytes));
        CliAssert.OneLineError(Train(data, Path.Combine(temp.Path, "run")), "t10k-labels-idx1-ubyte", "label 4 at position 3", "out of range", "4 classes");
    }

    [Fact]
    public void ArchShowOfAFileUsesItsOwnInputAndClasses()
    {
        using var temp = new TempFolder();
        var text = "input 12x12x1\nclasses 4\nstem Conv out=8\nblock BasicBlock out=16 stride=2\nhead dropout=0\n";
        var file = temp.File("best.arch", text);
        var expected = Architecture.Parse(text);
        var stdout = Succeeds(["arch", "show", file, "--json"]);
        Assert.Contains($"\"parameters\": {expected.Parameters}", stdout);
        Assert.Contains(expected.Hash, stdout);
        Assert.Contains("12x12x1", stdout);
        var given = Succeeds(["arch", "show", file, "--json", "--classes", "10"]);
        Assert.Contains($"\"parameters\": {expected.WithInput(expected.Input, 10).Parameters}", given);
    }

    [TmpfsFact]
    public void FullDiskDuringTrainingIsOneLineAndLeavesNoTemporaryFile()
    {
        using var temp = new TempFolder();
        var data = Data(temp);
        using var disk = new Tmpfs("200");
        var run = Path.Combine(disk.Path, "run");
        CliAssert.OneLineError(Train(data, run), "no space left", "rerun the same command");
        Assert.Empty(Directory.EnumerateFiles(disk.Path, "*.tmp", SearchOption.AllDirectories));
    }
}
