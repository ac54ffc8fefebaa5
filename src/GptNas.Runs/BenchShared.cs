using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GptNas.Config;
using GptNas.Training;

namespace GptNas.Runs;

/// <summary>
/// A benchmark's rows file (<c>--rows</c>): a first line naming the measurement's settings, then one row per line, each
/// appended in one write as it is measured, so a run stopped by a crash (or asked for more) measures only what is missing.
/// A file of other settings is refused rather than mixed in; a last line cut short by a crash is dropped.
/// </summary>
/// <remarks>
/// Several processes may share one file (two priors' <c>bench prior</c> runs share the uniform arm; two runs of one bench
/// split its rows): a row missing here is looked for again in what the others appended since, and a row being measured by
/// another process is never measured twice: <see cref="GetOrMeasureAll"/> leaves it for last, and <see cref="GetOrMeasure"/>
/// waits for it. The claim is an exclusive lock, which dies with its process, so a crash leaves no claim held.
/// </remarks>
internal sealed class BenchRows<TKey, TRow> where TKey : notnull
{
    /// <summary>How a lock held elsewhere fails the open: a sharing violation on Windows, flock's EWOULDBLOCK on Linux and macOS.</summary>
    private static readonly int[] HeldElsewhere = [unchecked((int)0x80070020), 11, 35];
    private readonly string? _file;
    private readonly Func<TRow, TKey> _keyOf;
    private readonly Dictionary<TKey, TRow> _rows = [];
    private long _read; // bytes of the file read so far, always at a line's end

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
        }
        var lines = NewLines();
        if (lines.FirstOrDefault() != header)
            throw new GptNasException($"'{file}' holds the rows of a measurement with other settings; give another --rows file, or delete it to start over");
        Keep(lines.Skip(1));
        // A line a crash cut short is ended here, so that the next row starts a line of its own.
        if (new FileInfo(file).Length > _read) Append("\n");
    }

    public TRow? Find(TKey key)
    {
        if (!_rows.ContainsKey(key)) Refresh();
        return _rows.GetValueOrDefault(key);
    }

    /// <summary>The row of <paramref name="key"/>: kept before, or measured meanwhile by another process, or measured now by
    /// <paramref name="measure"/> and kept (then <c>Measured</c> is true).</summary>
    public (TRow Row, bool Measured) GetOrMeasure(TKey key, Func<TRow> measure, CancellationToken cancellation = default) =>
        Measure(key, measure, wait: true, cancellation)!.Value;

    /// <summary>
    /// The rows of <paramref name="keys"/>, in their order, as <see cref="GetOrMeasure"/> finds each: first every row no
    /// other process is measuring, then, waiting, those that others were. So runs that share the file split its rows.
    /// <paramref name="found"/> hears of each row (its index, the row, whether measured here) as it is found.
    /// </summary>
    public IReadOnlyList<(TRow Row, bool Measured)> GetOrMeasureAll(IReadOnlyList<TKey> keys, Func<int, TRow> measure,
        Action<int, TRow, bool>? found = null, CancellationToken cancellation = default)
    {
        var rows = new (TRow Row, bool Measured)?[keys.Count];
        foreach (var wait in new[] { false, true })
            for (var i = 0; i < keys.Count; i++)
            {
                if (rows[i] is not null) continue;
                var index = i;
                rows[i] = Measure(keys[i], () => measure(index), wait, cancellation);
                if (rows[i] is { } done) found?.Invoke(i, done.Row, done.Measured);
            }
        return rows.Select(r => r!.Value).ToList();
    }

    private (TRow Row, bool Measured)? Measure(TKey key, Func<TRow> measure, bool wait, CancellationToken cancellation)
    {
        if (Find(key) is { } kept) return (kept, false);
        if (!TryClaim(key, wait, cancellation, out var claim)) return null;
        using var held = claim;
        if (Find(key) is { } theirs) return (theirs, false);
        var row = measure();
        _rows[_keyOf(row)] = row;
        Append(JsonSerializer.Serialize(row, GptNasJson.Options).ReplaceLineEndings(" ") + "\n");
        return (row, true);
    }

    private void Refresh() => Keep(NewLines());

    private void Keep(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            TRow? row;
            try { row = JsonSerializer.Deserialize<TRow>(line, GptNasJson.Options); }
            catch (JsonException) { continue; } // the line a crash cut short
            if (row is not null) _rows[_keyOf(row)] = row;
        }
    }

    /// <summary>The whole lines appended since the last read; a line still being written waits for the next.</summary>
    private List<string> NewLines()
    {
        if (_file is null) return [];
        using var stream = new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length <= _read) return [];
        var bytes = new byte[stream.Length - _read];
        stream.Position = _read;
        stream.ReadExactly(bytes);
        var end = Array.LastIndexOf(bytes, (byte)'\n');
        if (end < 0) return [];
        _read += end + 1;
        return [.. Encoding.UTF8.GetString(bytes, 0, end).Split('\n')];
    }

    /// <summary>One write, so that rows appended by several processes never interleave.</summary>
    private void Append(string text)
    {
        if (_file is null) return;
        using var stream = new FileStream(_file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        stream.Write(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// Takes the claim on <paramref name="key"/>: a hidden file beside the rows file, locked for as long as it is held and
    /// deleted when it is released (rows kept in memory only share nothing: true, with no claim). While another process
    /// holds it, waits (<paramref name="wait"/>) or answers false.
    /// </summary>
    private bool TryClaim(TKey key, bool wait, CancellationToken cancellation, out FileStream? claim)
    {
        claim = null;
        if (_file is null) return true;
        var rows = Path.GetFullPath(_file);
        var name = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString()!)))[..16];
        var path = Path.Combine(Path.GetDirectoryName(rows)!, $".{Path.GetFileName(rows)}.{name}.claim");
        while (true)
        {
            try
            {
                claim = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                return true;
            }
            catch (IOException e) when (HeldElsewhere.Contains(e.HResult))
            {
                if (!wait) return false;
                cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                cancellation.ThrowIfCancellationRequested();
            }
        }
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
