using System.Numerics;
using System.Text;

namespace GptNas.Corpora.NasBench101;

/// <summary>
/// nasbench's <c>graph_util.hash_module</c>, byte for byte: the same MD5 hex strings, so a hash computed
/// here finds the same cell in a NAS-Bench-101 table.
/// </summary>
/// <remarks>
/// The algorithm (a Weisfeiler-Lehman style colour refinement): each vertex starts with the MD5 of the
/// Python text <c>(out_degree, in_degree, label)</c>; then, as many times as there are vertices, each
/// vertex becomes the MD5 of its in-neighbours' hashes sorted and concatenated, '|', its out-neighbours'
/// hashes sorted and concatenated, '|', its own hash. The fingerprint is the MD5 of Python's text of the
/// sorted list of vertex hashes, <c>['…', '…']</c>. Hashes are kept as numbers whose order is the order
/// of their hex strings, so sorting never builds a string.
/// </remarks>
internal static class CellHash
{
    public const int MaxVertices = 32;

    // Initial vertex hashes for the degrees and labels a 7-vertex cell can have, computed once.
    private const int TableDegrees = 8;
    private static readonly UInt128[] InitialTable = BuildInitialTable();

    /// <summary>The fingerprint of a graph; <paramref name="rows"/>[i] has bit j set for an edge i -> j.</summary>
    public static UInt128 Compute(int n, ReadOnlySpan<uint> rows, ReadOnlySpan<sbyte> labels)
    {
        if (n is < 1 or > MaxVertices) throw new ArgumentOutOfRangeException(nameof(n), n, $"the hash takes 1..{MaxVertices} vertices");
        Span<uint> cols = stackalloc uint[n];
        for (var i = 0; i < n; i++)
            for (var bits = rows[i]; bits != 0; bits &= bits - 1) cols[BitOperations.TrailingZeroCount(bits)] |= 1u << i;

        Span<UInt128> hashes = stackalloc UInt128[n];
        Span<UInt128> next = stackalloc UInt128[n];
        for (var v = 0; v < n; v++) hashes[v] = Initial(BitOperations.PopCount(rows[v]), BitOperations.PopCount(cols[v]), labels[v]);

        Span<byte> hex = stackalloc byte[n * 32];
        Span<byte> message = stackalloc byte[(2 * n + 1) * 32 + 2];
        Span<int> order = stackalloc int[n];
        for (var round = 0; round < n; round++)
        {
            SortedOrder(hashes, order);
            for (var v = 0; v < n; v++) Md5.WriteHex(hashes[v], hex.Slice(v * 32, 32));
            for (var v = 0; v < n; v++)
            {
                var length = AppendNeighbours(order, cols[v], hex, message, 0);
                message[length++] = (byte)'|';
                length = AppendNeighbours(order, rows[v], hex, message, length);
                message[length++] = (byte)'|';
                hex.Slice(v * 32, 32).CopyTo(message[length..]);
                next[v] = Md5.Hash(message[..(length + 32)]);
            }
            next.CopyTo(hashes);
        }
        return Fingerprint(hashes, order);
    }

    // Python: hashlib.md5(str(sorted(hashes)).encode('utf-8')) -> "['h1', 'h2']".
    private static UInt128 Fingerprint(ReadOnlySpan<UInt128> hashes, Span<int> order)
    {
        var n = hashes.Length;
        SortedOrder(hashes, order);
        Span<byte> text = stackalloc byte[n * 36 + 2];
        var length = 0;
        text[length++] = (byte)'[';
        for (var k = 0; k < n; k++)
        {
            if (k > 0) { text[length++] = (byte)','; text[length++] = (byte)' '; }
            text[length++] = (byte)'\'';
            Md5.WriteHex(hashes[order[k]], text.Slice(length, 32));
            length += 32;
            text[length++] = (byte)'\'';
        }
        text[length++] = (byte)']';
        return Md5.Hash(text[..length]);
    }

    private static int AppendNeighbours(ReadOnlySpan<int> order, uint neighbours, ReadOnlySpan<byte> hex, Span<byte> message, int length)
    {
        if (neighbours == 0) return length;
        foreach (var w in order)
        {
            if ((neighbours & (1u << w)) == 0) continue;
            hex.Slice(w * 32, 32).CopyTo(message[length..]);
            length += 32;
        }
        return length;
    }

    // Insertion sort of vertex indices by hash: at most 32 items, usually 7.
    private static void SortedOrder(ReadOnlySpan<UInt128> hashes, Span<int> order)
    {
        for (var i = 0; i < order.Length; i++)
        {
            var j = i;
            while (j > 0 && hashes[order[j - 1]] > hashes[i]) { order[j] = order[j - 1]; j--; }
            order[j] = i;
        }
    }

    private static UInt128 Initial(int outDegree, int inDegree, sbyte label)
    {
        if (outDegree < TableDegrees && inDegree < TableDegrees && label is >= -2 and <= 2)
            return InitialTable[(outDegree * TableDegrees + inDegree) * 5 + label + 2];
        return InitialText(outDegree, inDegree, label);
    }

    // Python: hashlib.md5(str((out, in, label)).encode('utf-8')) -> "(2, 0, -1)".
    private static UInt128 InitialText(int outDegree, int inDegree, int label) =>
        Md5.Hash(Encoding.ASCII.GetBytes($"({outDegree}, {inDegree}, {label})"));

    private static UInt128[] BuildInitialTable()
    {
        var table = new UInt128[TableDegrees * TableDegrees * 5];
        for (var o = 0; o < TableDegrees; o++)
            for (var i = 0; i < TableDegrees; i++)
                for (var label = -2; label <= 2; label++)
                    table[(o * TableDegrees + i) * 5 + label + 2] = InitialText(o, i, label);
        return table;
    }
}
