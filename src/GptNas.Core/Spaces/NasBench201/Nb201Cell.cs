using System.Security.Cryptography;
using System.Text;

namespace GptNas.Spaces.NasBench201;

/// <summary>
/// A NAS-Bench-201 cell: 4 nodes, 6 edges (i&lt;-j for j &lt; i), each edge one of 5 operations. Edges are
/// kept in NB201's order (1&lt;-0), (2&lt;-0), (2&lt;-1), (3&lt;-0), (3&lt;-1), (3&lt;-2), the order of the canonical
/// string <c>|op~0|+|op~0|op~1|+|op~0|op~1|op~2|</c>. Every one of the 5^6 = 15,625 cells is valid (NB201
/// keeps disconnected and all-"none" cells in its table), so there is nothing to repair.
/// </summary>
public sealed class Nb201Cell : IEquatable<Nb201Cell>
{
    /// <summary>Edges per cell.</summary>
    public const int EdgeCount = 6;

    /// <summary>5^6: every cell, so <see cref="Code"/> is in [0, CellCount).</summary>
    public const int CellCount = 15_625;

    /// <summary>The operations in NB201's order; an op is its index here.</summary>
    public static IReadOnlyList<string> OpNames { get; } = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];

    /// <summary>Number of operations.</summary>
    public static int OpCount => OpNames.Count;

    /// <summary>For each edge, the node it enters (1..3) and the node it leaves (0..2).</summary>
    public static IReadOnlyList<(int To, int From)> Edges { get; } = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];

    private readonly byte[] _ops;

    /// <param name="ops">One op index (0..4) per edge, in edge order.</param>
    public Nb201Cell(IReadOnlyList<int> ops)
    {
        if (ops.Count != EdgeCount) throw new GptNasException($"an NB201 cell has {EdgeCount} edges; got {ops.Count} ops");
        _ops = new byte[EdgeCount];
        for (var e = 0; e < EdgeCount; e++)
        {
            if (ops[e] < 0 || ops[e] >= OpCount) throw new GptNasException($"NB201 op {ops[e]} on edge {e} is not in 0..{OpCount - 1}");
            _ops[e] = (byte)ops[e];
        }
        Code = 0;
        foreach (var op in _ops) Code = Code * OpCount + op;
    }

    /// <summary>The op index (0..4) on each edge.</summary>
    public IReadOnlyList<int> Ops => Array.ConvertAll(_ops, op => (int)op);

    /// <summary>The op index on <paramref name="edge"/>.</summary>
    public int this[int edge] => _ops[edge];

    /// <summary>The ops read as a base-5 number, first edge most significant: a dense key in [0, 15625) for
    /// arrays. Not NB201's official index (that comes from the table, <see cref="Nb201Record.Index"/>).</summary>
    public int Code { get; }

    /// <summary>The cell whose <see cref="Code"/> is <paramref name="code"/>.</summary>
    public static Nb201Cell FromCode(int code)
    {
        if (code is < 0 or >= CellCount) throw new GptNasException($"NB201 cell code {code} is not in 0..{CellCount - 1}");
        var ops = new int[EdgeCount];
        for (var e = EdgeCount - 1; e >= 0; e--, code /= OpCount) ops[e] = code % OpCount;
        return new Nb201Cell(ops);
    }

    /// <summary>This cell with <paramref name="op"/> on <paramref name="edge"/>.</summary>
    public Nb201Cell With(int edge, int op)
    {
        var ops = Ops.ToArray();
        ops[edge] = op;
        return new Nb201Cell(ops);
    }

    /// <summary>The canonical NB201 string, <c>|op~0|+|op~0|op~1|+|op~0|op~1|op~2|</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("|");
        for (var e = 0; e < EdgeCount; e++)
        {
            var from = Edges[e].From;
            if (e > 0 && from == 0) text.Append("+|");
            text.Append(OpNames[_ops[e]]).Append('~').Append(from).Append('|');
        }
        return text.ToString();
    }

    /// <summary>Reads a canonical string; the message of a refusal names the part at fault.</summary>
    public static Nb201Cell Parse(string text)
    {
        var nodes = text.Split('+');
        if (nodes.Length != 3) throw new GptNasException($"'{text}' is not an NB201 cell: expected 3 nodes separated by '+', found {nodes.Length}");
        var ops = new List<int>();
        for (var node = 0; node < 3; node++)
        {
            var part = nodes[node];
            if (part.Length < 2 || part[0] != '|' || part[^1] != '|')
                throw new GptNasException($"'{text}' is not an NB201 cell: node {node + 1} '{part}' must start and end with '|'");
            var edges = part[1..^1].Split('|');
            if (edges.Length != node + 1)
                throw new GptNasException($"'{text}' is not an NB201 cell: node {node + 1} needs {node + 1} inputs, found {edges.Length}");
            for (var from = 0; from <= node; from++)
            {
                var pieces = edges[from].Split('~');
                var op = pieces.Length == 2 ? OpIndex(pieces[0]) : -1;
                if (op < 0) throw new GptNasException($"'{text}' is not an NB201 cell: '{edges[from]}' is not op~input with op one of {string.Join(", ", OpNames)}");
                if (pieces[1] != from.ToString())
                    throw new GptNasException($"'{text}' is not an NB201 cell: input {from} of node {node + 1} is written '{edges[from]}' (inputs go 0, 1, 2 in order)");
                ops.Add(op);
            }
        }
        return new Nb201Cell(ops);
    }

    /// <summary>The index of an op name, or -1.</summary>
    public static int OpIndex(string name)
    {
        for (var op = 0; op < OpCount; op++)
            if (OpNames[op] == name) return op;
        return -1;
    }

    /// <summary>First 16 hex digits of SHA-256 of the canonical string (the block space's hash, same form).</summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToString())))[..16];

    public bool Equals(Nb201Cell? other) => other is not null && other.Code == Code;
    public override bool Equals(object? obj) => obj is Nb201Cell other && Equals(other);
    public override int GetHashCode() => Code;
}
