using System.Text.Json;

namespace GptNas.Tests;

public class SearchCommandTests
{
    [Fact]
    public void ShowConfigAppliesPresetAndOverrides()
    {
        var (code, stdout, stderr) = CliRunner.Run("search", "--preset", "paper", "--set", "ga.population=12", "--seed", "4", "--no-gpt", "--show-config");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(12, json.RootElement.GetProperty("ga").GetProperty("population").GetInt32());
        Assert.Equal(20, json.RootElement.GetProperty("ga").GetProperty("generations").GetInt32());
        Assert.False(json.RootElement.GetProperty("ga").GetProperty("reconstruct").GetBoolean());
        Assert.Equal(4, json.RootElement.GetProperty("seed").GetInt32());
    }

    [Fact]
    public void UnknownSettingIsRefusedWithExitCode2()
    {
        var (code, _, stderr) = CliRunner.Run("search", "--set", "ga.mutation=0.5", "--show-config");
        Assert.Equal(2, code);
        Assert.Contains("unknown key 'ga.mutation'", stderr);
        Assert.Contains("ga.mutation_probability", stderr);
    }

    [Fact]
    public void ResumingWithAnotherConfigIsRefusedAndNamesTheSetting()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var run = Path.Combine(temp.Path, "run");
        string[] common = ["search", "--preset", "smoke", "--no-gpt", "--data", data, "--out", run, "--set", "proxy.train_fraction=1", "--set", "ga.generations=0"];
        var (code, _, stderr) = CliRunner.Run(common);
        Assert.True(code == 0, stderr);
        var (again, _, error) = CliRunner.Run([.. common, "--set", "ga.population=5"]);
        Assert.Equal(2, again);
        Assert.Contains("ga.population: 4 -> 5", error);
    }
}
