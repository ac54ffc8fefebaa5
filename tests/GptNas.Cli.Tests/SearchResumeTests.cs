using System.Diagnostics;
using System.Text.Json;
using GptNas.Storage;
using GptNas.Trials;

namespace GptNas.Tests;

/// <summary>
/// A search killed with SIGKILL at several points and rerun with the same command ends exactly as an
/// uninterrupted run: no finished trial is redone or lost, and the result is the same.
/// </summary>
public class SearchResumeTests
{
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "gptnas.dll");

    internal static string[] Arguments(string data, string folder, bool withGpt, bool online = false) =>
    [
        Program, "search", "--preset", "smoke", "--data", data, "--out", folder, "--seed", "5", "--threads", "1",
        "--set", "proxy.train_fraction=1", "--set", "ga.generations=3", .. (withGpt ? Array.Empty<string>() : ["--no-gpt"]),
        .. (online ? ["--set", "prior.online=true"] : Array.Empty<string>()),
    ];

    /// <summary>Starts gptnas in its own process; <paramref name="stderr"/> gets each line it writes there.</summary>
    internal static Process Start(string[] arguments, string cache, Action<string>? stderr = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["GPTNAS_CACHE"] = cache;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) stderr?.Invoke(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static int FinishedTrials(string folder)
    {
        var database = Path.Combine(folder, "study.db");
        if (!File.Exists(database)) return 0;
        try
        {
            using var store = new SqliteTrialStore(database);
            var study = store.Studies().FirstOrDefault();
            return study is null ? 0 : store.Trials(study.Id).Count(t => t.State.IsFinished());
        }
        catch (Exception) { return 0; } // mid-creation: not readable yet
    }

    /// <summary>Each finished trial's fitness and finish time, by id: what a kill or a full disk must leave as it was.</summary>
    internal static Dictionary<long, (double? Fitness, DateTimeOffset? Finished)> FinishedResults(string folder) =>
        Outcome(folder).Trials.Where(t => t.State.IsFinished()).ToDictionary(t => t.Id, t => (t.Fitness, t.Finished));

    private static (List<TrialRecord> Trials, string? Final) Outcome(string folder)
    {
        using var store = new SqliteTrialStore(Path.Combine(folder, "study.db"));
        var study = store.Studies().Single();
        return (store.Trials(study.Id).ToList(), store.GetAttribute(study.Id, "final"));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)] // the online prior: its GPT, fine-tuned between generations, is rebuilt by replay
    public void KilledSearchResumesToTheSameResult(bool withGpt, bool online)
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var cache = Path.Combine(temp.Path, "cache");

        var reference = Path.Combine(temp.Path, "reference");
        using (var run = Start(Arguments(data, reference, withGpt, online), cache))
        {
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(3)), "the reference search did not finish");
            Assert.Equal(0, run.ExitCode);
        }

        var resumed = Path.Combine(temp.Path, "resumed");
        var kills = 0;
        foreach (var after in new[] { 1, 5, 9, 14 })
        {
            using var run = Start(Arguments(data, resumed, withGpt, online), cache);
            var clock = Stopwatch.StartNew();
            while (!run.HasExited && FinishedTrials(resumed) < after && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(20);
            if (run.HasExited) break;
            var before = FinishedResults(resumed);
            run.Kill(entireProcessTree: true); // SIGKILL
            run.WaitForExit();
            kills++;
            // Nothing finished is lost or changed by the kill.
            var after2 = Outcome(resumed).Trials.ToDictionary(t => t.Id);
            Assert.All(before, kv => Assert.Equal(kv.Value, (after2[kv.Key].Fitness, after2[kv.Key].Finished)));
        }
        Assert.True(kills >= 2, $"only {kills} kill(s) landed before the search ended");
        using (var run = Start(Arguments(data, resumed, withGpt, online), cache))
        {
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(3)), "the resumed search did not finish");
            Assert.Equal(0, run.ExitCode);
        }

        var (expectedTrials, expectedFinal) = Outcome(reference);
        var (trials, final) = Outcome(resumed);
        Assert.Equal(expectedTrials.Select(t => (t.Generation, t.Index, t.Hash, t.State, t.Fitness)), trials.Select(t => (t.Generation, t.Index, t.Hash, t.State, t.Fitness)));
        Assert.All(trials, t => Assert.True(t.State.IsFinished()));
        Assert.NotNull(final);
        Assert.Equal(JsonDocument.Parse(expectedFinal!).RootElement.GetProperty("test_top1").GetDouble(), JsonDocument.Parse(final!).RootElement.GetProperty("test_top1").GetDouble());
        Assert.Equal(File.ReadAllText(Path.Combine(reference, "best.arch")), File.ReadAllText(Path.Combine(resumed, "best.arch")));
        if (withGpt) Assert.Contains(trials, t => t.Predicted.Count > 0);
    }

    [Fact]
    public void TwoWorkersShareOneStudyAndReachTheSingleWorkerResult()
    {
        using var temp = new TempFolder();
        var data = Path.Combine(temp.Path, "data");
        Directory.CreateDirectory(data);
        TinyData.Write(data);
        var cache = Path.Combine(temp.Path, "cache");
        var reference = Path.Combine(temp.Path, "reference");
        using (var run = Start(Arguments(data, reference, withGpt: false), cache))
            Assert.True(run.WaitForExit(TimeSpan.FromMinutes(3)) && run.ExitCode == 0, "the reference search failed");

        var shared = Path.Combine(temp.Path, "shared");
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var first = Start([.. Arguments(data, shared, withGpt: false), "--join"], cache, line => errors.Enqueue($"first: {line}"));
        using var second = Start([.. Arguments(data, shared, withGpt: false), "--join"], cache, line => errors.Enqueue($"second: {line}"));
        Assert.True(first.WaitForExit(TimeSpan.FromMinutes(3)) && second.WaitForExit(TimeSpan.FromMinutes(3)), "the workers did not finish");
        first.WaitForExit(); // with no timeout it also waits for the last lines of stderr
        second.WaitForExit();
        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, $"exit {first.ExitCode} and {second.ExitCode}: {string.Join('\n', errors)}");

        var (expected, _) = Outcome(reference);
        var (trials, _) = Outcome(shared);
        Assert.Equal(expected.Select(t => (t.Hash, t.Fitness)), trials.Select(t => (t.Hash, t.Fitness)));
        // Which worker claims which trial is a race (one may even finish before the other starts); the
        // result must not depend on it.
        Assert.All(trials, t => Assert.True(t.State.IsFinished()));
    }
}
