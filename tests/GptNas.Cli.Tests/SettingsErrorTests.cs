namespace GptNas.Tests;

/// <summary>
/// Settings and options a user can get wrong are refused with one line naming the setting, exit code 2, before
/// anything is created or any data loads (the folder given with --out does not exist afterwards).
/// </summary>
public class SettingsErrorTests
{
    private static void AssertRefusedBeforeAnything(string[] args, params string[] expected)
    {
        using var temp = new TempFolder();
        var run = Path.Combine(temp.Path, "run");
        // A data path that does not exist: refusing it would mean the settings were checked only after the data.
        CliAssert.OneLineError([.. args, "--out", run, "--data", Path.Combine(temp.Path, "no-data")], expected);
        Assert.False(Directory.Exists(run), "the refused command created its run folder");
    }

    private static string[] Search(params string[] sets) => ["search", "--preset", "smoke", "--no-gpt", .. sets.SelectMany(s => new[] { "--set", s })];

    [Theory]
    [InlineData("ga.population=-3", "ga.population must be at least 2, got -3")]
    [InlineData("space.widths=", "space.widths must list at least one width")]
    [InlineData("space.widths=0,8", "space.widths must all be positive, got 0 at position 1")]
    [InlineData("space.widths=16,-8", "space.widths must all be positive, got -8 at position 2")]
    [InlineData("space.min_blocks=5", "space.min_blocks (5) must be at most space.max_blocks (4)")]
    [InlineData("proxy.training.learning_rate=-1", "proxy.training.learning_rate must be above 0, got -1")]
    [InlineData("final.weight_decay=-0.1", "final.weight_decay must be 0 or more, got -0.1")]
    [InlineData("proxy.training.warmup_epochs=-1", "proxy.training.warmup_epochs must be 0 or more, got -1")]
    [InlineData("prior.temperature=-1", "prior.temperature must be 0 or more, got -1")]
    [InlineData("proxy.train_fraction=0", "proxy.train_fraction must be in (0, 1], got 0")]
    [InlineData("validation_fraction=1", "validation_fraction must be in (0, 1), got 1")]
    [InlineData("budget_seconds=-5", "budget_seconds must be 0 or more, got -5")]
    public void BadSearchSettingIsRefusedNamingItsKey(string set, string message) => AssertRefusedBeforeAnything(Search(set), message);

    [Fact]
    public void SeveralBadSettingsAreNamedInOneLine() =>
        AssertRefusedBeforeAnything(Search("ga.population=0", "space.widths=0"), "ga.population", "space.widths");

    [Fact]
    public void CorrectedCommandRunsAfterARefusal()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var run = Path.Combine(temp.Path, "run");
        string[] common = [.. Search("proxy.train_fraction=1", "ga.generations=0"), "--data", data, "--out", run, "--threads", "1"];
        CliAssert.OneLineError([.. common, "--set", "ga.population=-3"], "ga.population");
        var (code, _, stderr) = CliRunner.Run([.. common, "--set", "ga.population=3"]);
        Assert.True(code == 0, stderr);
    }

    [Fact]
    public void OverwriteWithJoinIsRefused() => AssertRefusedBeforeAnything([.. Search(), "--overwrite", "--join"], "--overwrite", "--join");

    [Theory]
    [InlineData("search", "0")]
    [InlineData("search", "-2")]
    [InlineData("train", "0")]
    [InlineData("train", "-1")]
    public void ThreadsBelowOneAreRefused(string command, string threads) =>
        AssertRefusedBeforeAnything([command, "--threads", threads], "--threads must be 1 or more", threads);

    [Theory]
    [InlineData("--lr", "NaN", "--lr must be above 0, got NaN")]
    [InlineData("--lr", "-0.1", "--lr must be above 0, got -0.1")]
    [InlineData("--weight-decay", "-1", "--weight-decay must be 0 or more, got -1")]
    [InlineData("--warmup", "-1", "--warmup must be 0 or more, got -1")]
    [InlineData("--epochs", "0", "--epochs must be 1 or more, got 0")]
    [InlineData("--batch-size", "-4", "--batch-size must be 1 or more, got -4")]
    public void BadTrainingOptionIsRefusedNamingIt(string option, string value, string message) =>
        AssertRefusedBeforeAnything(["train", option, value], message);

    [Fact]
    public void CudaWithoutCudaIsRefused()
    {
        if (TorchSharp.torch.cuda.is_available()) return; // a CUDA machine: nothing to refuse
        AssertRefusedBeforeAnything(["train", "--device", "cuda"], "--device cuda", "no CUDA device", "--device cpu");
    }

    [Fact]
    public void UnknownDeviceIsRefused() => AssertRefusedBeforeAnything(["train", "--device", "tpu"], "--device must be auto, cpu, cuda or cuda:N", "tpu");

    [Theory]
    [InlineData("search")]
    [InlineData("train")]
    public void OutputUnderAFileIsRefusedBeforeTheDataLoads(string command)
    {
        using var temp = new TempFolder();
        var file = temp.File("a-file", "x");
        string[] args = [command, "--out", Path.Combine(file, "run"), "--data", Path.Combine(temp.Path, "no-data")];
        CliAssert.OneLineError(command == "search" ? [.. args, "--preset", "smoke"] : args, "--out", "cannot be created", "is a file");
    }
}
