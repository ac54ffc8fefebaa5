using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace GptNas.Corpora.NasBench101;

/// <summary>
/// Every NAS-Bench-101 cell up to a number of vertices and edges, one per isomorphism class, as nasbench's
/// <c>generate_graphs.py</c> builds the space: for each vertex count, every upper-triangular matrix whose
/// vertices all lie on an input-to-output path and that has at most the allowed edges, every labelling of
/// its interior vertices with the three operations, deduplicated by <see cref="Cell.Hash"/>. With 7
/// vertices and 9 edges: 423,624 cells.
/// </summary>
/// <remarks>
/// nasbench hashes every labelled graph (about 50 MD5s each, 1.27 million graphs). We group the graphs by
/// an exact canonical form instead (the smallest code over all renumberings of the interior vertices,
/// which is cheap because the renumberings that minimise the unlabelled matrix are found once per
/// matrix), then hash one cell per group. nasbench's hash is invariant under isomorphism and nasbench
/// verified that it separates every non-isomorphic pair of this space, so its groups are exactly these;
/// <see cref="Enumerate"/> checks it again by counting distinct hashes. Parallel over matrices, one
/// dictionary per worker merged at the end; the hot loop allocates nothing. The cell kept for each group
/// is the first one nasbench's loop meets (fewest vertices, then lowest matrix bit string, then labelling
/// in <c>itertools.product</c> order), so the result does not depend on the thread count.
/// </remarks>
public static class CellEnumerator
{
    /// <summary>
    /// Enumerates the space; <paramref name="threads"/> null uses every core. <paramref name="hashes"/> false
    /// skips hashing the cells (most of the time: about 30 µs per cell); <see cref="CellEnumeration.HashAt"/>
    /// then hashes on demand.
    /// </summary>
    public static CellEnumeration Enumerate(int maxVertices = Cell.MaxVertices, int maxEdges = Cell.MaxEdges, int? threads = null,
                                            bool hashes = true, CancellationToken cancellation = default)
    {
        if (maxVertices is < 2 or > Cell.MaxVertices)
            throw new GptNasException($"max vertices must be in 2..{Cell.MaxVertices} (input and output included), got {maxVertices}");
        if (maxEdges < 1) throw new GptNasException($"max edges must be at least 1, got {maxEdges}");
        if (threads is < 1) throw new GptNasException($"threads must be at least 1, got {threads}");
        var clock = Stopwatch.StartNew();
        var options = new ParallelOptions { CancellationToken = cancellation, MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount };
        var found = new ConcurrentBag<Dictionary<ulong, long>>();
        long labelled = 0;
        for (var n = 2; n <= maxVertices; n++)
        {
            var vertices = n;
            var matrices = 1L << (n * (n - 1) / 2);
            Parallel.ForEach(Partitioner.Create(0L, matrices, Math.Max(1, matrices / 64)), options,
                () => new Worker(vertices, maxEdges),
                (range, _, worker) => { for (var bits = range.Item1; bits < range.Item2; bits++) worker.Visit((uint)bits); return worker; },
                worker => { found.Add(worker.Groups); Interlocked.Add(ref labelled, worker.Labelled); });
        }
        var keys = MergeFirstMembers(found);
        UInt128[]? digests = null;
        if (hashes)
        {
            var computed = new UInt128[keys.Length];
            Parallel.For(0, keys.Length, options, i => computed[i] = CellOf(keys[i]).HashDigest());
            var distinct = new HashSet<UInt128>(computed).Count;
            if (distinct != keys.Length)
                throw new InvalidOperationException($"{keys.Length} isomorphism classes but {distinct} distinct nasbench hashes; the hash port is wrong");
            digests = computed;
        }
        return new CellEnumeration(maxVertices, maxEdges, labelled, keys, digests, clock.Elapsed);
    }

    private static long[] MergeFirstMembers(IEnumerable<Dictionary<ulong, long>> parts)
    {
        var merged = new Dictionary<ulong, long>();
        foreach (var part in parts)
            foreach (var (code, key) in part)
            {
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(merged, code, out var exists);
                slot = exists ? Math.Min(slot, key) : key;
            }
        var keys = merged.Values.ToArray();
        Array.Sort(keys);
        return keys;
    }

    // Sort key of a labelled graph: vertices, then nasbench's matrix bit string, then the labelling's index.
    private static long Key(int vertices, uint bits, int labelling) => ((long)vertices << 40) | ((long)bits << 8) | (long)labelling;

    internal static Cell CellOf(long key)
    {
        var n = (int)(key >> 40);
        Span<sbyte> labels = stackalloc sbyte[n];
        Labels((int)(key & 0xFF), labels);
        return Cell.FromBits(n, (uint)(key >> 8), labels);
    }

    // itertools.product order: the first interior vertex is the most significant base-3 digit.
    private static void Labels(int labelling, Span<sbyte> labels)
    {
        labels[0] = -1;
        labels[^1] = -2;
        for (var v = labels.Length - 2; v >= 1; v--, labelling /= 3) labels[v] = (sbyte)(labelling % 3);
    }

    private sealed class Worker(int n, int maxEdges)
    {
        // Renumberings of the interior vertices: Permutations[p][v] is the new index of vertex v.
        private readonly byte[][] _permutations = Permutations(n);
        private readonly ulong[] _structure = new ulong[Factorial(n - 2)];
        private readonly int[] _best = new int[Factorial(n - 2)];

        public Dictionary<ulong, long> Groups { get; } = new();
        public long Labelled { get; private set; }

        public void Visit(uint bits)
        {
            if (BitOperations.PopCount(bits) > maxEdges) return;
            Span<uint> rows = stackalloc uint[n];
            for (var y = 1; y < n; y++)
                for (var x = 0; x < y; x++)
                    if ((bits >> (x + y * (y - 1) / 2) & 1) != 0) rows[x] |= 1u << y;
            // nasbench's is_full_dag: only the output lacks out-edges, only the input lacks in-edges.
            uint targets = 0;
            for (var v = 0; v < n; v++)
            {
                if (v < n - 1 && rows[v] == 0) return;
                targets |= rows[v];
            }
            if (targets != (uint)((1UL << n) - 2)) return;

            var best = MinimalRenumberings(rows, out var structure);
            Span<sbyte> labels = stackalloc sbyte[n];
            var labellings = (int)Math.Pow(3, n - 2);
            for (var labelling = 0; labelling < labellings; labelling++)
            {
                Labels(labelling, labels);
                var labelCode = ulong.MaxValue;
                foreach (var p in _best.AsSpan(0, best)) labelCode = Math.Min(labelCode, LabelCode(_permutations[p], labels));
                // n (3 bits) | renumbered matrix (n*n <= 49 bits) | labels in new order (2 bits each, <= 10 bits)
                var code = ((ulong)n << 59) | (structure << 10) | labelCode;
                var key = Key(n, bits, labelling);
                ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(Groups, code, out var exists);
                slot = exists ? Math.Min(slot, key) : key;
                Labelled++;
            }
        }

        // The renumberings whose matrix code is smallest; only they can give the smallest labelled code.
        private int MinimalRenumberings(ReadOnlySpan<uint> rows, out ulong structure)
        {
            structure = ulong.MaxValue;
            for (var p = 0; p < _permutations.Length; p++)
            {
                var perm = _permutations[p];
                ulong code = 0;
                for (var from = 0; from < n; from++)
                    for (var targets = rows[from]; targets != 0; targets &= targets - 1)
                        code |= 1UL << (perm[from] * n + perm[BitOperations.TrailingZeroCount(targets)]);
                _structure[p] = code;
                structure = Math.Min(structure, code);
            }
            var count = 0;
            for (var p = 0; p < _permutations.Length; p++)
                if (_structure[p] == structure) _best[count++] = p;
            return count;
        }

        private ulong LabelCode(byte[] perm, ReadOnlySpan<sbyte> labels)
        {
            ulong code = 0;
            for (var v = 1; v < n - 1; v++) code |= (ulong)labels[v] << (2 * (n - 2 - perm[v]));
            return code;
        }
    }

    private static int Factorial(int k) => k <= 1 ? 1 : k * Factorial(k - 1);

    // All orders of the interior vertices 1..n-2; input and output keep their places.
    private static byte[][] Permutations(int n)
    {
        var result = new List<byte[]>();
        var current = Enumerable.Range(0, n).Select(i => (byte)i).ToArray();
        Permute(current, 1, n - 2, result);
        return result.ToArray();
    }

    private static void Permute(byte[] current, int start, int last, List<byte[]> result)
    {
        if (start >= last) { result.Add((byte[])current.Clone()); return; }
        for (var i = start; i <= last; i++)
        {
            (current[start], current[i]) = (current[i], current[start]);
            Permute(current, start + 1, last, result);
            (current[start], current[i]) = (current[i], current[start]);
        }
    }
}
