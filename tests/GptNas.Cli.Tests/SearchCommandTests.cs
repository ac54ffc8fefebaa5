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

    /// <summary>Another thread count rounds differently, so a resume with one says how to continue the run exactly.</summary>
    [Fact]
    public void ResumingWithAnotherThreadCountWarnsAndNamesTheCountItBeganWith()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var run = Path.Combine(temp.Path, "run");
        string[] search = ["search", "--preset", "smoke", "--no-gpt", "--data", data, "--out", run, "--threads", "1", "--set", "proxy.train_fraction=1",
            "--set", "ga.generations=0", "--set", "final.epochs=1"];
        var (code, first, stderr) = CliRunner.Run(search);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("threads and resumes", first);
        using (var store = Storage.TrialStores.Open(null, Path.Combine(run, "study.db")))
        {
            var study = Assert.Single(store.Studies());
            Assert.Equal("1", store.GetAttribute(study.Id, Runs.RunFolder.ThreadsAttribute));
            store.SetAttribute(study.Id, Runs.RunFolder.ThreadsAttribute, "7"); // as if it had begun on a 7-thread machine
        }
        var (again, resumed, error) = CliRunner.Run(search);
        Assert.True(again == 0, error);
        var words = string.Join(' ', resumed.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)); // the console wraps long lines
        Assert.Contains("began with 7 threads and resumes with 1", words);
        Assert.Contains("--threads 7 continues it exactly", words);
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

    /// <summary>
    /// The online prior learns from the search: generation 0 is rebuilt by the shipped GPT in both searches, and once the GPT
    /// has been fine-tuned on the first results the rebuilt candidates differ from those of the same search without it.
    /// </summary>
    [Fact]
    public void TheOnlinePriorChangesWhatLaterGenerationsAreRebuiltInto()
    {
        using var temp = new TempFolder();
        var data = Directory.CreateDirectory(Path.Combine(temp.Path, "data")).FullName;
        TinyData.Write(data);
        string[] Search(string folder, params string[] extra) =>
            ["search", "--preset", "smoke", "--data", data, "--out", folder, "--seed", "2", "--threads", "1", "--set", "proxy.train_fraction=1",
             "--set", "ga.generations=2", "--set", "final.epochs=1", .. extra];
        List<(string Generation, string Hash)> Trials(string folder)
        {
            var (code, stdout, stderr) = CliRunner.Run("trials", "list", "--run", folder, "--json");
            Assert.True(code == 0, stderr);
            return JsonDocument.Parse(stdout).RootElement.EnumerateArray()
                .Select(t => (t.GetProperty("trial").GetString()!.Split('/')[0], t.GetProperty("hash").GetString()!)).ToList();
        }
        var (shipped, _, shippedError) = CliRunner.Run(Search(Path.Combine(temp.Path, "shipped")));
        Assert.True(shipped == 0, shippedError);
        var (online, _, onlineError) = CliRunner.Run(Search(Path.Combine(temp.Path, "online"), "--set", "prior.online=true"));
        Assert.True(online == 0, onlineError);
        var (a, b) = (Trials(Path.Combine(temp.Path, "shipped")), Trials(Path.Combine(temp.Path, "online")));
        Assert.Equal(a.Where(t => t.Generation == "g0"), b.Where(t => t.Generation == "g0"));
        Assert.NotEqual(a.Where(t => t.Generation != "g0"), b.Where(t => t.Generation != "g0"));

        var (refused, _, error) = CliRunner.Run(Search(Path.Combine(temp.Path, "refused"), "--no-gpt", "--set", "prior.online=true"));
        Assert.Equal(2, refused);
        Assert.Contains("prior.online=true", error);
    }
}
