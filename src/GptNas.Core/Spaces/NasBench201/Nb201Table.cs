using System.Globalization;
using System.Security.Cryptography;

namespace GptNas.Spaces.NasBench201;

/// <summary>
/// One architecture's row of <c>nasbench201.csv</c> (accuracies in %; see shared/benchmarks/README.md §1).
/// </summary>
/// <param name="Index">NB201's official architecture index (0..15624).</param>
/// <param name="Cifar10Valid">CIFAR-10 validation, 200 epochs (<c>cifar10_valid_acc</c>, NB201's "C10 valid").</param>
/// <param name="Cifar10Test">CIFAR-10 test, 200 epochs (<c>cifar10_test_acc</c>).</param>
/// <param name="Cifar100Test">CIFAR-100 test, 200 epochs (<c>cifar100_test_acc</c>).</param>
/// <param name="ImageNet16Test">ImageNet16-120 test, 200 epochs (<c>imagenet16_test_acc</c>).</param>
/// <param name="Cifar10Valid12">CIFAR-10 validation after the 12-epoch schedule (<c>cifar10_valid_acc_12ep</c>): NB201's search signal.</param>
/// <param name="ImageNet16Valid12">ImageNet16-120 validation after 12 epochs (<c>imagenet16_valid_acc_12ep</c>): ranks the prior's corpus.</param>
/// <param name="EpochSeconds">One 50k-image CIFAR-10 training epoch plus a test pass (<c>epoch_time_s</c>); the cost model's input.</param>
public sealed record Nb201Record(
    int Index,
    Nb201Cell Cell,
    double Cifar10Valid,
    double Cifar10Test,
    double Cifar100Test,
    double ImageNet16Test,
    double Cifar10Valid12,
    double ImageNet16Valid12,
    double EpochSeconds);

/// <summary>
/// The NAS-Bench-201 table read from <c>nasbench201.csv</c>: one <see cref="Nb201Record"/> per cell, looked up by
/// <see cref="Nb201Cell.Code"/>. Only the columns in <see cref="Columns"/> are read; others are ignored. A table
/// may hold fewer than all 15,625 cells (tests use small ones); asking for a missing cell is an error that says so.
/// </summary>
public sealed class Nb201Table
{
    /// <summary>The columns this table needs, in the order of <see cref="Nb201Record"/>'s values.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "index", "arch", "cifar10_valid_acc", "cifar10_test_acc", "cifar100_test_acc", "imagenet16_test_acc",
        "cifar10_valid_acc_12ep", "imagenet16_valid_acc_12ep", "epoch_time_s",
    ];

    private readonly Nb201Record?[] _byCode;

    private Nb201Table(string path, string sha256, List<Nb201Record> records)
    {
        Path = path;
        Sha256 = sha256;
        Records = records;
        _byCode = new Nb201Record?[Nb201Cell.CellCount];
        foreach (var record in records) _byCode[record.Cell.Code] = record;
    }

    /// <summary>The file the table came from.</summary>
    public string Path { get; }

    /// <summary>SHA-256 of the file, so a result can name the exact table it used.</summary>
    public string Sha256 { get; }

    /// <summary>Rows in file order.</summary>
    public IReadOnlyList<Nb201Record> Records { get; }

    /// <summary>The row of <paramref name="cell"/>; a <see cref="GptNasException"/> if the table lacks it.</summary>
    public Nb201Record this[Nb201Cell cell] => _byCode[cell.Code]
        ?? throw new GptNasException($"NB201 table '{Path}' has no row for {cell} (it holds {Records.Count} of {Nb201Cell.CellCount} cells)");

    public static Nb201Table Load(string path)
    {
        if (!File.Exists(path)) throw new GptNasException($"NB201 table '{path}' does not exist; give its path with --table");
        var bytes = File.ReadAllBytes(path);
        using var reader = new StreamReader(new MemoryStream(bytes));
        var header = reader.ReadLine()?.Split(',').Select(h => h.Trim()).ToList()
                     ?? throw new GptNasException($"NB201 table '{path}' is empty; it needs a header row with {string.Join(", ", Columns)}");
        var at = Columns.Select(column => header.IndexOf(column) is var i and >= 0 ? i
            : throw new GptNasException($"NB201 table '{path}' has no column '{column}'; its columns: {string.Join(", ", header)}")).ToArray();
        var records = new List<Nb201Record>();
        var seen = new Dictionary<int, int>();
        var number = 1;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            if (line.Trim().Length == 0) continue;
            var fields = line.Split(',');
            if (fields.Length != header.Count)
                throw new GptNasException($"NB201 table '{path}' line {number}: {fields.Length} fields, the header has {header.Count}");
            var record = Parse(fields, at, path, number);
            if (seen.TryGetValue(record.Cell.Code, out var first))
                throw new GptNasException($"NB201 table '{path}' line {number} column 'arch': {record.Cell} repeats line {first}");
            seen[record.Cell.Code] = number;
            records.Add(record);
        }
        if (records.Count == 0) throw new GptNasException($"NB201 table '{path}' has a header but no rows");
        return new Nb201Table(path, Convert.ToHexStringLower(SHA256.HashData(bytes)), records);
    }

    private static Nb201Record Parse(string[] fields, int[] at, string path, int number)
    {
        string Field(int column) => fields[at[column]].Trim();
        double Number(int column)
        {
            var text = Field(column);
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value
                : throw new GptNasException($"NB201 table '{path}' line {number} column '{Columns[column]}': '{text}' is not a number");
        }
        if (!int.TryParse(Field(0), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            throw new GptNasException($"NB201 table '{path}' line {number} column 'index': '{Field(0)}' is not a whole number");
        Nb201Cell cell;
        try { cell = Nb201Cell.Parse(Field(1)); }
        catch (GptNasException e) { throw new GptNasException($"NB201 table '{path}' line {number} column 'arch': {e.Message}"); }
        var record = new Nb201Record(index, cell, Number(2), Number(3), Number(4), Number(5), Number(6), Number(7), Number(8));
        if (!(record.EpochSeconds > 0))
            throw new GptNasException($"NB201 table '{path}' line {number} column 'epoch_time_s': {record.EpochSeconds} is not a positive time");
        return record;
    }
}
