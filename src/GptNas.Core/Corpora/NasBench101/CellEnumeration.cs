namespace GptNas.Corpora.NasBench101;

/// <summary>
/// The result of <see cref="CellEnumerator.Enumerate"/>: the unique cells in nasbench's enumeration order
/// (vertices, matrix bit string, labelling), each with its hash. Cells are built on demand from a compact key.
/// </summary>
public sealed class CellEnumeration
{
    private readonly long[] _keys;
    private readonly UInt128[]? _digests;

    internal CellEnumeration(int maxVertices, int maxEdges, long labelledGraphs, long[] keys, UInt128[]? digests, TimeSpan elapsed)
    {
        MaxVertices = maxVertices;
        MaxEdges = maxEdges;
        LabelledGraphs = labelledGraphs;
        _keys = keys;
        _digests = digests;
        Elapsed = elapsed;
        var byVertices = new int[maxVertices + 1];
        foreach (var key in keys) byVertices[(int)(key >> 40)]++;
        UniqueByVertices = byVertices;
    }

    public int MaxVertices { get; }
    public int MaxEdges { get; }

    /// <summary>Labelled graphs met before deduplication (nasbench logs it as "without hashing").</summary>
    public long LabelledGraphs { get; }

    /// <summary>Unique cells: 423,624 for 7 vertices and 9 edges.</summary>
    public int Count => _keys.Length;

    /// <summary>Unique cells with exactly v vertices, at index v.</summary>
    public IReadOnlyList<int> UniqueByVertices { get; }

    /// <summary>Wall-clock time of the enumeration.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The index-th unique cell (pruned: every vertex on an input-output path).</summary>
    public Cell this[int index] => CellEnumerator.CellOf(_keys[index]);

    /// <summary>nasbench's hash of the index-th cell, as <see cref="Cell.Hash"/> gives it.</summary>
    public string HashAt(int index) => _digests is null ? this[index].Hash() : Md5.ToHex(_digests[index]);

    /// <summary>True when the hashes were computed during the enumeration (and checked to be distinct).</summary>
    public bool HasHashes => _digests is not null;

    public IEnumerable<Cell> Cells => Enumerable.Range(0, Count).Select(i => this[i]);
}
