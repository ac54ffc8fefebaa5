using System.Security.Cryptography;
using GptNas.Runs;
using GptNas.Storage;
using Microsoft.Data.Sqlite;

namespace GptNas.Tests;

/// <summary>
/// Nothing a user already has is lost: a run folder keeps its identity when copied or renamed, a folder holding a
/// search is never overwritten by one with other settings unless asked, a folder in use is refused, and a damaged,
/// read-only or full store ends in one line.
/// </summary>
public class RunFolderTests
{
    private static string[] Search(string data, string run, params string[] extra) =>
    [
        "search", "--preset", "smoke", "--no-gpt", "--data", data, "--out", run, "--threads", "1",
        "--set", "proxy.train_fraction=1", "--set", "ga.generations=0", .. extra,
    ];

    private static string Data(TempFolder temp)
    {
        var data = Path.Combine(temp.Path, "data");
        if (!Directory.Exists(data))
        {
            Directory.CreateDirectory(data);
            TinyData.Write(data);
        }
        return data;
    }

    private static void Succeeds(string[] args)
    {
        var (code, _, stderr) = CliRunner.Run(args);
        Assert.True(code == 0, stderr);
        SqliteConnection.ClearAllPools();
    }

    /// <summary>Every file of a folder (but the lock and its holder) with a hash of its content.</summary>
    internal static Dictionary<string, string> Snapshot(string folder)
    {
        SqliteConnection.ClearAllPools();
        return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is not ("run.lock" or "run.owner"))
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
    }

    private static (int Studies, string Trials) Study(string folder)
    {
        SqliteConnection.ClearAllPools();
        using var store = new SqliteTrialStore(Path.Combine(folder, "study.db"));
        var studies = store.Studies();
        var trials = string.Join(";", studies.SelectMany(s => store.Trials(s.Id)).Select(t => $"{t.Hash}:{t.Fitness}:{t.Finished}"));
        SqliteConnection.ClearAllPools();
        return (studies.Count, trials);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    [Fact]
    public void CopiedRunFolderResumesItsOwnStudy()
    {
        using var temp = new TempFolder();
        var original = Path.Combine(temp.Path, "original");
        Succeeds(Search(Data(temp), original));
        var before = Study(original);
        var originalFiles = Snapshot(original);
        var copy = Path.Combine(temp.Path, "copy");
        CopyFolder(original, copy);

        Succeeds(Search(Data(temp), copy));
        Assert.Equal(before, Study(copy)); // its own study, resumed: no new study, no trial redone
        Assert.Equal(File.ReadAllText(Path.Combine(original, "best.arch")), File.ReadAllText(Path.Combine(copy, "best.arch")));
        Assert.Equal(File.ReadAllText(Path.Combine(original, "run.json")), File.ReadAllText(Path.Combine(copy, "run.json")));
        Assert.Equal(originalFiles, Snapshot(original));
    }

    [Fact]
    public void FolderCopiedMidSearchResumesToTheSameResult()
    {
        using var temp = new TempFolder();
        var original = Path.Combine(temp.Path, "original");
        var arguments = SearchResumeTests.Arguments(Data(temp), original, withGpt: false);
        using (var run = SearchResumeTests.Start(arguments, Path.Combine(temp.Path, "cache")))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!run.HasExited && SearchResumeTests.FinishedTrials(original) < 5 && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(20);
            Assert.False(run.HasExited, "the search ended before it could be killed");
            run.Kill(entireProcessTree: true); // SIGKILL mid-search
            run.WaitForExit();
        }
        Assert.InRange(SearchResumeTests.FinishedTrials(original), 5, 15);
        var copy = Path.Combine(temp.Path, "copy");
        CopyFolder(original, copy);
        Succeeds(arguments[1..]);
        Succeeds([.. arguments[1..].Select(a => a == original ? copy : a)]);
        // The same trials and fitness (timestamps differ: each resumed on its own).
        string Results(string folder) => string.Join(";", Study(folder).Trials.Split(';').Select(t => string.Join(':', t.Split(':')[..2])));
        Assert.Equal(Results(original), Results(copy));
        Assert.Equal(1, Study(copy).Studies);
        Assert.Equal(File.ReadAllText(Path.Combine(original, "best.arch")), File.ReadAllText(Path.Combine(copy, "best.arch")));
    }

    [Fact]
    public void RenamedRunFolderStillFindsItsStudy()
    {
        using var temp = new TempFolder();
        var original = Path.Combine(temp.Path, "original");
        Succeeds(Search(Data(temp), original));
        var before = Study(original);
        var renamed = Path.Combine(temp.Path, "renamed");
        Directory.Move(original, renamed);

        Succeeds(Search(Data(temp), renamed));
        Assert.Equal(before, Study(renamed));
        var (code, stdout, stderr) = CliRunner.Run("trials", "list", "--run", renamed);
        Assert.True(code == 0, stderr);
        Assert.Contains("g0", stdout);
    }

    [Fact]
    public void RerunWithAnotherSeedIsRefusedWithoutTouchingTheFolder()
    {
        using var temp = new TempFolder();
        var run = Path.Combine(temp.Path, "run");
        Succeeds(Search(Data(temp), run));
        var files = Snapshot(run);
        CliAssert.OneLineError(Search(Data(temp), run, "--seed", "1"), "holds a search with other settings", "config.seed: 0 -> 1", "--overwrite");
        Assert.Equal(files, Snapshot(run));

        Succeeds(Search(Data(temp), run, "--seed", "1", "--overwrite"));
        Assert.Contains("\"seed\": 1", File.ReadAllText(Path.Combine(run, "config.json")));
        Assert.Equal(1, Study(run).Studies);
    }

    [Fact]
    public void HandEditedConfigIsNamedNotDiscarded()
    {
        using var temp = new TempFolder();
        var run = Path.Combine(temp.Path, "run");
        Succeeds(Search(Data(temp), run));
        var config = Path.Combine(run, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"population\": 4", "\"population\": 6"));
        var files = Snapshot(run);
        CliAssert.OneLineError(Search(Data(temp), run), "config.ga.population: 6 -> 4");
        Assert.Equal(files, Snapshot(run));
    }

    [Fact]
    public void SecondSearchWithoutJoinIsRefusedNamingTheFirst()
    {
        using var temp = new TempFolder();
        var run = Path.Combine(temp.Path, "run");
        Succeeds(Search(Data(temp), run));
        var files = Snapshot(run);
        // The first search, still running: it holds the folder's lock.
        using (RunLock.Acquire(new RunFolder(run), "gptnas search", shared: false))
        {
            CliAssert.OneLineError(Search(Data(temp), run), "is in use by gptnas search", $"pid {Environment.ProcessId}", "--join");
            CliAssert.OneLineError([.. Search(Data(temp), run), "--join"], "is in use by gptnas search");
        }
        Assert.Equal(files, Snapshot(run));
        Succeeds(Search(Data(temp), run)); // the lock of a process that ended is gone with it
    }

    [Fact]
    public void SearchStartedBesideARunningOneIsRefusedWithItsPid()
    {
        using var temp = new TempFolder();
        var run = Path.Combine(temp.Path, "run");
        // Long enough to be running still when the second starts; it is killed at the end.
        string[] arguments = [.. SearchResumeTests.Arguments(Data(temp), run, withGpt: false), "--set", "ga.generations=50"];
        CliRunner.Run("search", "--show-config"); // loads the command line here first, so the second starts at once
        using var first = SearchResumeTests.Start(arguments, Path.Combine(temp.Path, "cache"));
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!first.HasExited && SearchResumeTests.FinishedTrials(run) < 1 && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(20);
            Assert.False(first.HasExited, "the first search ended before the second could start beside it");
            CliAssert.OneLineError(arguments[1..], "is in use by gptnas search", $"pid {first.Id}", "--join");
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }
    }

    [Fact]
    public void TwoFoldersOfOneNameNeverShareAStudyByAccident()
    {
        using var temp = new TempFolder();
        var storage = Path.Combine(temp.Path, "shared.db");
        var first = Path.Combine(temp.Path, "a", "run");
        Succeeds([.. Search(Data(temp), first), "--storage", storage]);
        var second = Path.Combine(temp.Path, "b", "run");
        CliAssert.OneLineError([.. Search(Data(temp), second), "--storage", storage], "already holds a study 'run' of another run folder", "--join");
        Assert.False(File.Exists(Path.Combine(second, "config.json")));
        Succeeds([.. Search(Data(temp), second), "--storage", storage, "--join"]);
        Assert.Equal(File.ReadAllText(Path.Combine(first, "run.json")), File.ReadAllText(Path.Combine(second, "run.json")));
    }

    [Fact]
    public void SearchInWhichEveryTrialFailedTrainsNothing()
    {
        using var temp = new TempFolder();
        var run = Path.Combine(temp.Path, "run");
        CliAssert.OneLineError(Search(Data(temp), run, "--set", "proxy.timeout_seconds=0.000001"), "no trial succeeded", "all 4 failed", "timed out");
        Assert.False(File.Exists(Path.Combine(run, "best.arch")));
        Assert.False(File.Exists(Path.Combine(run, "model.bin")));
    }

    [Fact]
    public void PartlyCorruptStudyIsOneLine()
    {
        using var temp = new TempFolder();
        var run = Path.Combine(temp.Path, "run");
        Succeeds(Search(Data(temp), run));
        SqliteConnection.ClearAllPools();
        var database = Path.Combine(run, "study.db");
        var bytes = File.ReadAllBytes(database);
        for (var i = 4096; i < bytes.Length; i++) bytes[i] = (byte)(i * 7);
        File.WriteAllBytes(database, bytes);
        CliAssert.OneLineError(Search(Data(temp), run), "study", "damaged", "move study.db away");
    }

    [TmpfsFact]
    public void ReadOnlyRunFolderIsOneLine()
    {
        using var temp = new TempFolder();
        using var disk = new Tmpfs("4096");
        var run = Path.Combine(disk.Path, "run");
        Succeeds(Search(Data(temp), run));
        disk.MakeReadOnly();
        CliAssert.OneLineError(Search(Data(temp), run), "read-only");
    }

    /// <summary>
    /// The disk fills while the search runs (how much a search writes before that depends on its timing: heartbeats
    /// grow the study's log): it ends in one line, keeps every trial it finished, and the same command, rerun once
    /// there is space again, completes the search.
    /// </summary>
    [TmpfsFact]
    public void FullDiskDuringASearchIsOneLineAndKeepsWhatWasFinished()
    {
        using var temp = new TempFolder();
        var data = Data(temp);
        var cache = Path.Combine(temp.Path, "cache");
        using var disk = new Tmpfs("8192");
        var run = Path.Combine(disk.Path, "run");
        var arguments = SearchResumeTests.Arguments(data, run, withGpt: false);

        var errors = new System.Text.StringBuilder();
        Dictionary<long, (double? Fitness, DateTimeOffset? Finished)> finished;
        using (var search = SearchResumeTests.Start(arguments, cache, line => errors.AppendLine(line)))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!search.HasExited && SearchResumeTests.FinishedTrials(run) < 2 && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(20);
            finished = SearchResumeTests.FinishedResults(run);
            disk.FillUp();
            Assert.True(search.WaitForExit(TimeSpan.FromMinutes(2)), "the search did not stop on the full disk");
            search.WaitForExit(); // with no timeout it also waits for the last lines of stderr
            Assert.True(search.ExitCode == 2, $"exit {search.ExitCode}: {errors}");
        }
        var lines = errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("warning: ")).ToList();
        Assert.True(lines.Count == 1, errors.ToString());
        Assert.StartsWith("error: no space left", lines[0]);
        Assert.Contains("rerun the same command", lines[0]);

        File.Delete(disk.FillerFile);
        Assert.Empty(Directory.EnumerateFiles(disk.Path, "*.tmp", SearchOption.AllDirectories));
        var kept = SearchResumeTests.FinishedResults(run);
        Assert.True(finished.Count >= 2, $"{finished.Count} trial(s) finished before the disk filled");
        Assert.All(finished, trial => Assert.Equal(trial.Value, kept[trial.Key]));

        using (var rerun = SearchResumeTests.Start(arguments, cache))
        {
            Assert.True(rerun.WaitForExit(TimeSpan.FromMinutes(3)), "the rerun did not finish");
            Assert.Equal(0, rerun.ExitCode);
        }
        Assert.True(File.Exists(Path.Combine(run, "model.bin")));
    }
}
