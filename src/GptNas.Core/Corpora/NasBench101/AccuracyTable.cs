using System.Globalization;
using System.Text;

namespace GptNas.Corpora.NasBench101;

/// <summary>
/// Validation accuracy per NAS-Bench-101 cell hash, read from a CSV the user supplies (GPT-NAS §4: keep the
/// cells whose accuracy is at least a threshold). Accuracies are kept in percent.
/// </summary>
/// <remarks>
/// The CSV has a header row. The cell is found in a hash column (nasbench's 32-hex-digit hash; default
/// names <c>hash</c>, <c>module_hash</c>, <c>unique_hash</c>) or, failing that, in NASLib's
/// <c>arch_naslib_encoding</c> column (the 7x7 matrix row by row, then 7 operations coded input 0,
/// output 1, maxpool3x3 2, conv1x1-bn-relu 3, conv3x3-bn-relu 4), which is pruned and hashed here. The
/// accuracy comes from <c>val_accuracy</c>, <c>validation_accuracy</c> or <c>valid_acc</c> unless a
/// column is named. A table whose accuracies are all at most 1 is read as fractions and scaled to
/// percent. Several rows for one cell (nasbench's repeats) are averaged.
/// </remarks>
public sealed class AccuracyTable
{
    private static readonly string[] HashColumns = ["hash", "module_hash", "unique_hash"];
    private static readonly string[] AccuracyColumns = ["val_accuracy", "validation_accuracy", "valid_acc"];
    private const string NasLibColumn = "arch_naslib_encoding";
    private static readonly CellOp[] NasLibOps = [CellOp.Input, CellOp.Output, CellOp.MaxPool3x3, CellOp.Conv1x1BnRelu, CellOp.Conv3x3BnRelu];

    private readonly Dictionary<string, double> _accuracy;

    private AccuracyTable(Dictionary<string, double> accuracy, string sha256)
    {
        _accuracy = accuracy;
        Sha256 = sha256;
    }

    /// <summary>Cells in the table.</summary>
    public int Count => _accuracy.Count;

    /// <summary>SHA-256 of the file, recorded in the corpus manifest.</summary>
    public string Sha256 { get; }

    /// <summary>The validation accuracy in percent of the cell with this nasbench hash.</summary>
    public bool TryGet(string hash, out double accuracy) => _accuracy.TryGetValue(hash, out accuracy);

    public IEnumerable<string> Hashes => _accuracy.Keys;

    public static AccuracyTable Load(string path, string? hashColumn = null, string? accuracyColumn = null)
    {
        if (!File.Exists(path)) throw new CorpusException($"accuracy table '{path}' does not exist");
        var bytes = File.ReadAllBytes(path);
        var lines = Encoding.UTF8.GetString(bytes).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var header = SplitCsv(lines[0], path, 1);
        var (keyColumn, isHash) = FindKeyColumn(header, hashColumn, path);
        var valueColumn = Find(header, accuracyColumn is null ? AccuracyColumns : [accuracyColumn], path, "accuracy");
        var rows = new List<(string Hash, double Accuracy)>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var fields = SplitCsv(lines[i], path, i + 1);
            if (fields.Count != header.Count) throw new CorpusException($"accuracy table '{path}' line {i + 1}: {fields.Count} fields, the header has {header.Count}");
            var where = $"accuracy table '{path}' line {i + 1}";
            var hash = isHash ? CheckHash(fields[keyColumn], where) : HashOf(FromNasLib(fields[keyColumn], where), where);
            if (!double.TryParse(fields[valueColumn], NumberStyles.Float, CultureInfo.InvariantCulture, out var accuracy) || !double.IsFinite(accuracy))
                throw new CorpusException($"accuracy table '{path}' line {i + 1}: accuracy '{fields[valueColumn]}' is not a number");
            rows.Add((hash, accuracy));
        }
        if (rows.Count == 0) throw new CorpusException($"accuracy table '{path}' has no rows");
        var scale = rows.All(r => r.Accuracy <= 1) ? 100 : 1;
        var table = rows.GroupBy(r => r.Hash).ToDictionary(g => g.Key, g => g.Average(r => r.Accuracy) * scale, StringComparer.Ordinal);
        return new AccuracyTable(table, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    /// <summary>
    /// A cell from NASLib's tuple text "(m00, m01, ..., m66, op0, ..., op6)": 49 matrix entries row by row,
    /// then 7 operation codes (input 0, output 1, maxpool3x3 2, conv1x1-bn-relu 3, conv3x3-bn-relu 4).
    /// </summary>
    public static Cell FromNasLib(string encoding, string where = "NASLib encoding")
    {
        var parts = encoding.Trim().TrimStart('(', '[').TrimEnd(')', ']').Split(',', StringSplitOptions.TrimEntries);
        var values = parts.Select(p => int.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : -1).ToArray();
        var n = (int)Math.Round((-1 + Math.Sqrt(1 + 4.0 * values.Length)) / 2);
        if (n < 2 || n * n + n != values.Length || values.Skip(n * n).Any(v => v is < 0 or > 4))
            throw new CorpusException($"{where}: '{encoding}' is not a NASLib NAS-Bench-101 encoding (n*n matrix entries then n operation codes 0..4)");
        var matrix = new int[n, n];
        for (var i = 0; i < n * n; i++) matrix[i / n, i % n] = values[i];
        try { return new Cell(matrix, values.Skip(n * n).Select(v => NasLibOps[v]).ToArray()); }
        catch (GptNasException e) when (e is not CorpusException) { throw new CorpusException($"{where}: {e.Message}", e); }
    }

    private static (int Column, bool IsHash) FindKeyColumn(List<string> header, string? hashColumn, string path)
    {
        if (hashColumn is not null) return (Find(header, [hashColumn], path, "hash"), hashColumn != NasLibColumn);
        foreach (var name in HashColumns)
            if (header.Contains(name)) return (header.IndexOf(name), true);
        if (header.Contains(NasLibColumn)) return (header.IndexOf(NasLibColumn), false);
        throw new CorpusException($"accuracy table '{path}' has no cell column: expected one of {string.Join(", ", HashColumns)} or {NasLibColumn}; name yours with the hash column setting");
    }

    private static int Find(List<string> header, IReadOnlyList<string> names, string path, string what)
    {
        foreach (var name in names)
        {
            var index = header.IndexOf(name);
            if (index >= 0) return index;
        }
        throw new CorpusException($"accuracy table '{path}' has no {what} column (looked for {string.Join(", ", names)}); its columns: {string.Join(", ", header)}");
    }

    private static string CheckHash(string text, string where) =>
        text.Length == 32 && text.All(Uri.IsHexDigit) ? text.ToLowerInvariant()
            : throw new CorpusException($"{where}: '{text}' is not a 32-hex-digit nasbench hash");

    private static string HashOf(Cell cell, string where) =>
        cell.Prune() is null ? throw new CorpusException($"{where}: the cell's input is not joined to its output, so it has no hash") : cell.Hash();

    // One CSV record on one line: fields separated by commas, optionally in double quotes ("" is a quote).
    private static List<string> SplitCsv(string line, string path, int number)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted) throw new CorpusException($"accuracy table '{path}' line {number}: a quoted field is not closed");
        fields.Add(field.ToString());
        return fields;
    }
}
