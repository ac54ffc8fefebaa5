using System.Diagnostics;
using System.Text.Json;
using GptNas.Config;
using GptNas.Training;

namespace GptNas.Runs;

/// <summary>
/// A benchmark's rows file (<c>--rows</c>): a first line naming the measurement's settings, then one row per line, each
/// appended and flushed as it is measured, so a run stopped by a crash (or asked for more) measures only what is missing.
/// A file of other settings is refused rather than mixed in; a last line cut short by a crash is dropped.
/// </summary>
internal sealed class BenchRows<TKey, TRow> where TKey : notnull
{
    private readonly string? _file;
    private readonly Func<TRow, TKey> _keyOf;
    private readonly Dictionary<TKey, TRow> _rows = [];

    /// <param name="file">The rows file; null keeps the rows in memory only.</param>
    /// <param name="settings">What must be equal for two runs' rows to be mixed (written on the first line).</param>
    public BenchRows(string? file, string settings, Func<TRow, TKey> keyOf)
    {
        _file = file;
        _keyOf = keyOf;
        if (file is null) return;
        var header = settings.ReplaceLineEndings(" ");
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            File.WriteAllText(file, header + "\n");
            return;
        }
        var lines = File.ReadAllLines(file);
        if (lines.Length == 0 || lines[0] != header)
            throw new GptNasException($"'{file}' holds the rows of a measurement with other settings; give another --rows file, or delete it to start over");
        foreach (var line in lines.Skip(1))
        {
            TRow? row;
            try { row = JsonSerializer.Deserialize<TRow>(line, GptNasJson.Options); }
            catch (JsonException) { continue; } // the line a crash cut short
            if (row is not null) _rows[keyOf(row)] = row;
        }
    }

    public TRow? Find(TKey key) => _rows.GetValueOrDefault(key);

    public void Add(TRow row)
    {
        _rows[_keyOf(row)] = row;
        if (_file is null) return;
        using var stream = new FileStream(_file, FileMode.Append, FileAccess.Write);
        using (var writer = new StreamWriter(stream)) writer.Write(JsonSerializer.Serialize(row, GptNasJson.Options).ReplaceLineEndings(" ") + "\n");
    }
}

/// <summary>How the benches score a training.</summary>
internal static class BenchScoring
{
    /// <summary>
    /// A scoring's top-1 and wall time; a training that diverges (a NaN loss) scores 0, as a search scores a failed trial,
    /// and is named in <paramref name="failed"/>.
    /// </summary>
    public static (double Value, double Seconds) Timed(string scoring, Func<double> work, List<string> failed)
    {
        var clock = Stopwatch.StartNew();
        try { return (work(), clock.Elapsed.TotalSeconds); }
        catch (TrainingException)
        {
            failed.Add(scoring);
            return (0, clock.Elapsed.TotalSeconds);
        }
    }
}
