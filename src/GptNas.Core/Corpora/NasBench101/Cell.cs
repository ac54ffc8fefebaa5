using System.Numerics;
using System.Text;

namespace GptNas.Corpora.NasBench101;

/// <summary>
/// A NAS-Bench-101 cell ("module"): a DAG given by an upper-triangular adjacency matrix whose vertex 0
/// is the input and last vertex the output, with an operation at every interior vertex. Mirrors
/// nasbench's <c>ModelSpec</c>: <see cref="Prune"/> removes what is dead, <see cref="Validate"/> applies
/// the benchmark's limits to the pruned cell, and <see cref="Hash"/> is nasbench's isomorphism-invariant
/// key (<c>hash_spec</c>), so two cells that compute the same graph share it.
/// </summary>
/// <remarks>
/// Text form (canonical; <see cref="Parse"/> of it gives back an equal cell):
/// <code>ops=input,conv3x3-bn-relu,maxpool3x3,output matrix=0110/0001/0001/0000</code>
/// A matrix may hold dead vertices (nasbench accepts them and prunes them); the limits of 7 vertices and
/// 9 edges apply after pruning, as in nasbench's <c>api.is_valid</c>.
/// </remarks>
public sealed class Cell : IEquatable<Cell>
{
    /// <summary>nasbench's <c>module_vertices</c>: at most 7 vertices, input and output included.</summary>
    public const int MaxVertices = 7;

    /// <summary>nasbench's <c>max_edges</c>.</summary>
    public const int MaxEdges = 9;

    // _rows[i] has bit j set when there is an edge i -> j.
    private readonly uint[] _rows;
    private readonly CellOp[] _ops;

    public int Vertices => _ops.Length;
    public IReadOnlyList<CellOp> Ops => _ops;
    public int Edges { get; }

    /// <summary>Builds a cell from a 0/1 matrix (<c>matrix[from, to]</c>) and one operation per vertex.</summary>
    public Cell(int[,] matrix, IReadOnlyList<CellOp> ops) : this(RowsOf(matrix, ops.Count), ops.ToArray()) { }

    private Cell(uint[] rows, CellOp[] ops)
    {
        var n = ops.Length;
        if (n < 2 || n > CellHash.MaxVertices)
            throw new GptNasException($"a cell needs 2..{CellHash.MaxVertices} vertices (input and output included), got {n}");
        if (rows.Length != n) throw new GptNasException($"the matrix is {rows.Length}x{rows.Length} but {n} operations were given; give one operation per vertex");
        for (var i = 0; i < n; i++)
            if ((rows[i] & ~(uint)(((1UL << n) - 1) & ~((2UL << i) - 1))) != 0)
                throw new GptNasException($"the matrix must be upper triangular (edges only from a vertex to a later one); row {i} breaks it");
        if (ops[0] != CellOp.Input) throw new GptNasException($"the first vertex must be 'input', got '{ops[0].Name()}'");
        if (ops[^1] != CellOp.Output) throw new GptNasException($"the last vertex must be 'output', got '{ops[^1].Name()}'");
        for (var v = 1; v < n - 1; v++)
            if (ops[v] is CellOp.Input or CellOp.Output)
                throw new GptNasException($"vertex {v} is '{ops[v].Name()}'; interior vertices take conv3x3-bn-relu, conv1x1-bn-relu or maxpool3x3");
        _rows = rows;
        _ops = ops;
        Edges = rows.Sum(r => BitOperations.PopCount(r));
    }

    /// <summary>A cell from nasbench's enumeration: its matrix bit string (bit x + y(y-1)/2 is edge x -> y) and hash labels.</summary>
    internal static Cell FromBits(int n, uint bits, ReadOnlySpan<sbyte> labels)
    {
        var rows = new uint[n];
        for (var y = 1; y < n; y++)
            for (var x = 0; x < y; x++)
                if ((bits >> (x + y * (y - 1) / 2) & 1) != 0) rows[x] |= 1u << y;
        var ops = new CellOp[n];
        for (var v = 0; v < n; v++) ops[v] = labels[v] switch { -1 => CellOp.Input, -2 => CellOp.Output, var l => (CellOp)l };
        return new Cell(rows, ops);
    }

    public bool HasEdge(int from, int to) => (uint)from < (uint)Vertices && (uint)to < (uint)Vertices && (_rows[from] & (1u << to)) != 0;

    /// <summary>The matrix as nasbench writes it, <c>matrix[from][to]</c> in 0/1.</summary>
    public int[,] Matrix()
    {
        var matrix = new int[Vertices, Vertices];
        for (var i = 0; i < Vertices; i++)
            for (var j = 0; j < Vertices; j++) matrix[i, j] = HasEdge(i, j) ? 1 : 0;
        return matrix;
    }

    /// <summary>
    /// The cell without the vertices that are not on a path from input to output (nasbench's
    /// <c>ModelSpec._prune</c>), vertices kept in their order; this cell itself when nothing is dead;
    /// null when no path joins input to output.
    /// </summary>
    public Cell? Prune()
    {
        var n = Vertices;
        uint fromInput = 1, toOutput = 1u << (n - 1);
        for (var v = 0; v < n; v++)
            if ((fromInput & (1u << v)) != 0) fromInput |= _rows[v];
        for (var v = n - 1; v >= 0; v--)
            if ((_rows[v] & toOutput) != 0) toOutput |= 1u << v;
        var keep = fromInput & toOutput;
        if ((keep & 1) == 0) return null;
        if (BitOperations.PopCount(keep) == n) return this;
        var kept = new List<int>();
        for (var v = 0; v < n; v++)
            if ((keep & (1u << v)) != 0) kept.Add(v);
        var rows = new uint[kept.Count];
        for (var i = 0; i < kept.Count; i++)
            for (var j = 0; j < kept.Count; j++)
                if (HasEdge(kept[i], kept[j])) rows[i] |= 1u << j;
        return new Cell(rows, kept.Select(v => _ops[v]).ToArray());
    }

    /// <summary>True when every vertex lies on a path from input to output (nasbench's <c>is_full_dag</c>).</summary>
    public bool IsPruned => ReferenceEquals(Prune(), this);

    /// <summary>
    /// Null when NAS-Bench-101 holds this cell; otherwise why not. The checks of nasbench's <c>is_valid</c>,
    /// made on the pruned cell: input joined to output, at most 7 vertices, at most 9 edges.
    /// </summary>
    public string? Validate()
    {
        var pruned = Prune();
        if (pruned is null) return "no path joins the input (vertex 0) to the output; connect them through at least one edge";
        if (pruned.Vertices > MaxVertices)
            return $"the cell has {pruned.Vertices} vertices after pruning; NAS-Bench-101 allows at most {MaxVertices}, input and output included";
        if (pruned.Edges > MaxEdges)
            return $"the cell has {pruned.Edges} edges after pruning; NAS-Bench-101 allows at most {MaxEdges}";
        return null;
    }

    public bool IsValid => Validate() is null;

    /// <summary>nasbench's <c>ModelSpec.hash_spec</c>: the 32-hex-digit MD5 fingerprint of the pruned cell,
    /// equal for isomorphic cells. Throws when input and output are not joined.</summary>
    public string Hash() => Md5.ToHex(HashDigest());

    internal UInt128 HashDigest()
    {
        var pruned = Prune() ?? throw new GptNasException($"cannot hash '{this}': no path joins its input to its output");
        Span<sbyte> labels = stackalloc sbyte[pruned.Vertices];
        for (var v = 0; v < labels.Length; v++) labels[v] = pruned._ops[v].HashLabel();
        return CellHash.Compute(pruned.Vertices, pruned._rows, labels);
    }

    /// <summary>
    /// The same graph with vertex v renumbered <paramref name="newIndex"/>[v] (nasbench's <c>permute_graph</c>).
    /// The result must again be a cell: input first, output last, every edge pointing forward.
    /// </summary>
    public Cell Renumber(IReadOnlyList<int> newIndex)
    {
        var n = Vertices;
        if (newIndex.Count != n || newIndex.Distinct().Count() != n || newIndex.Any(i => (uint)i >= (uint)n))
            throw new GptNasException($"a renumbering of a {n}-vertex cell must be a permutation of 0..{n - 1}");
        var rows = new uint[n];
        var ops = new CellOp[n];
        for (var v = 0; v < n; v++)
        {
            ops[newIndex[v]] = _ops[v];
            for (var w = 0; w < n; w++)
                if (HasEdge(v, w)) rows[newIndex[v]] |= 1u << newIndex[w];
        }
        return new Cell(rows, ops);
    }

    /// <summary>The canonical text: <c>ops=input,...,output matrix=0110/0001/0001/0000</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("ops=");
        text.AppendJoin(',', _ops.Select(o => o.Name())).Append(" matrix=");
        for (var i = 0; i < Vertices; i++)
        {
            if (i > 0) text.Append('/');
            for (var j = 0; j < Vertices; j++) text.Append(HasEdge(i, j) ? '1' : '0');
        }
        return text.ToString();
    }

    /// <summary>Reads the text form of <see cref="ToString"/>; the message names what is wrong.</summary>
    public static Cell Parse(string text)
    {
        string? opsText = null, matrixText = null;
        foreach (var part in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("ops=", StringComparison.Ordinal)) opsText = part[4..];
            else if (part.StartsWith("matrix=", StringComparison.Ordinal)) matrixText = part[7..];
            else throw new GptNasException($"cell text: unexpected '{part}'; expected 'ops=input,...,output matrix=0110/0001/...'");
        }
        if (opsText is null || matrixText is null) throw new GptNasException("cell text needs both 'ops=' and 'matrix='");
        var ops = opsText.Split(',').Select(name => CellOps.TryParse(name, out var op) ? op
            : throw new GptNasException($"cell text: unknown operation '{name}'; expected input, conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3 or output")).ToArray();
        var lines = matrixText.Split('/');
        if (lines.Length != ops.Length || lines.Any(l => l.Length != ops.Length || l.Any(c => c is not ('0' or '1'))))
            throw new GptNasException($"cell text: the matrix must be {ops.Length} rows of {ops.Length} digits 0/1 separated by '/', got '{matrixText}'");
        var rows = lines.Select(l => l.Select((c, j) => c == '1' ? 1u << j : 0u).Aggregate(0u, (a, b) => a | b)).ToArray();
        return new Cell(rows, ops);
    }

    private static uint[] RowsOf(int[,] matrix, int opsCount)
    {
        var n = matrix.GetLength(0);
        if (matrix.GetLength(1) != n) throw new GptNasException($"the matrix must be square, got {n}x{matrix.GetLength(1)}");
        if (n != opsCount) throw new GptNasException($"the matrix is {n}x{n} but {opsCount} operations were given; give one operation per vertex");
        if (n > CellHash.MaxVertices) throw new GptNasException($"a cell takes at most {CellHash.MaxVertices} vertices here, got {n}");
        var rows = new uint[n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                if (matrix[i, j] is not (0 or 1)) throw new GptNasException($"matrix[{i},{j}] is {matrix[i, j]}; entries must be 0 or 1");
                if (matrix[i, j] == 1) rows[i] |= 1u << j;
            }
        return rows;
    }

    public bool Equals(Cell? other) => other is not null && _ops.AsSpan().SequenceEqual(other._ops) && _rows.AsSpan().SequenceEqual(other._rows);
    public override bool Equals(object? obj) => obj is Cell other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var row in _rows) hash.Add(row);
        foreach (var op in _ops) hash.Add(op);
        return hash.ToHashCode();
    }
}
