using GptNas.Runs;

namespace GptNas.Tests;

/// <summary>A benchmark's rows file: kept across runs, shared by processes, and whole after a crash.</summary>
public class BenchRowsTests
{
    public sealed record Row(string Key, double Value);

    private static BenchRows<string, Row> Open(string file, string settings = "settings") => new(file, settings, r => r.Key);

    /// <summary>Starts <paramref name="rows"/> measuring row "a" and returns once it holds the claim; the measurement
    /// ends when <paramref name="release"/> is set.</summary>
    private static Task<(Row Row, bool Measured)> MeasuringA(BenchRows<string, Row> rows, ManualResetEventSlim release)
    {
        using var measuring = new ManualResetEventSlim();
        var run = Task.Run(() => rows.GetOrMeasure("a", () =>
        {
            measuring.Set();
            release.Wait();
            return new Row("a", 1);
        }));
        measuring.Wait();
        return run;
    }

    [Fact]
    public void ARowAnotherRunAppendedIsFoundWithoutMeasuringAgain()
    {
        using var temp = new TempFolder();
        var file = Path.Combine(temp.Path, "rows.jsonl");
        var (first, second) = (Open(file), Open(file)); // both opened before either measured

        Assert.True(first.GetOrMeasure("a", () => new Row("a", 1)).Measured);
        var (row, measured) = second.GetOrMeasure("a", () => throw new InvalidOperationException("measured twice"));

        Assert.False(measured);
        Assert.Equal(new Row("a", 1), row);
        Assert.Equal(new Row("a", 1), Open(file).Find("a"));
    }

    [Fact]
    public async Task ARowBeingMeasuredElsewhereIsWaitedFor()
    {
        using var temp = new TempFolder();
        var file = Path.Combine(temp.Path, "rows.jsonl");
        var (first, second) = (Open(file), Open(file));
        using var release = new ManualResetEventSlim();

        var firstRun = MeasuringA(first, release);
        var secondRun = Task.Run(() => second.GetOrMeasure("a", () => new Row("a", 2)));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.False(secondRun.IsCompleted); // waits on the claim, does not measure
        release.Set();

        Assert.Equal((new Row("a", 1), true), await firstRun);
        Assert.Equal((new Row("a", 1), false), await secondRun);
        Assert.Equal(2, File.ReadAllLines(file).Length); // the settings and one row
        Assert.Equal(["rows.jsonl"], Directory.GetFiles(temp.Path).Select(Path.GetFileName)); // the claim is gone with its holder
    }

    [Fact]
    public async Task RunsSharingTheFileSplitItsRows()
    {
        using var temp = new TempFolder();
        var file = Path.Combine(temp.Path, "rows.jsonl");
        var (first, second) = (Open(file), Open(file));
        using var release = new ManualResetEventSlim();
        var firstRun = MeasuringA(first, release);

        var order = new List<string>();
        var secondRun = Task.Run(() => second.GetOrMeasureAll(["a", "b"], i =>
        {
            Assert.Equal(1, i); // "a" is the other run's
            return new Row("b", 2);
        }, (i, row, measured) => order.Add($"{row.Key} {measured}")));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(["b True"], order); // "b" measured while "a" is being measured elsewhere
        Assert.False(secondRun.IsCompleted); // and "a" is waited for, not measured
        release.Set();

        await firstRun;
        Assert.Equal([(new Row("a", 1), false), (new Row("b", 2), true)], await secondRun); // in the keys' order
        Assert.Equal(["b True", "a False"], order);
    }

    [Fact]
    public void ALineCutShortByACrashLosesNoLaterRow()
    {
        using var temp = new TempFolder();
        var file = Path.Combine(temp.Path, "rows.jsonl");
        Open(file).GetOrMeasure("a", () => new Row("a", 1));
        File.AppendAllText(file, "{\"key\": \"b\", \"val"); // the crash

        Assert.True(Open(file).GetOrMeasure("c", () => new Row("c", 3)).Measured);

        var reopened = Open(file);
        Assert.Equal(new Row("a", 1), reopened.Find("a"));
        Assert.Null(reopened.Find("b"));
        Assert.Equal(new Row("c", 3), reopened.Find("c"));
    }

    [Fact]
    public void RowsOfOtherSettingsAreRefused()
    {
        using var temp = new TempFolder();
        var file = Path.Combine(temp.Path, "rows.jsonl");
        Open(file).GetOrMeasure("a", () => new Row("a", 1));

        var error = Assert.Throws<GptNasException>(() => Open(file, "other settings"));
        Assert.Contains("other settings", error.Message);
        Assert.Equal(2, File.ReadAllLines(file).Length);
    }
}
