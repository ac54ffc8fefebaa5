namespace GptNas.Spaces.NasBench201;

/// <summary>
/// The prior without a GPT: each edge's op drawn from that edge's (weighted) op counts over a set of cells,
/// independently of the other edges, plus <c>smoothing</c> pseudo-counts per op. The control that tells what the GPT
/// adds over counting its corpus; its <see cref="Majority"/> cell is the zero-query "most common op per edge" baseline.
/// </summary>
public static class Nb201CountPrior
{
    /// <param name="weights">One per cell (null: all 1).</param>
    public static Nb201PrefixPrior Of(IReadOnlyList<Nb201Cell> cells, IReadOnlyList<double>? weights = null, double smoothing = 1)
    {
        var counts = Counts(cells, weights, smoothing);
        var next = new IReadOnlyList<double>[Nb201PrefixPrior.PrefixCount];
        var ops = new int[Nb201Cell.EdgeCount];
        for (var length = 0; length < Nb201Cell.EdgeCount; length++)
        {
            var count = (int)Math.Pow(Nb201Cell.OpCount, length);
            for (var p = 0; p < count; p++)
            {
                for (int k = length - 1, rest = p; k >= 0; k--, rest /= Nb201Cell.OpCount) ops[k] = rest % Nb201Cell.OpCount;
                next[Nb201PrefixPrior.PrefixIndex(ops, length)] = counts[length];
            }
        }
        return new Nb201PrefixPrior(next);
    }

    /// <summary>The most common op on each edge (ties: the lower op index).</summary>
    public static Nb201Cell Majority(IReadOnlyList<Nb201Cell> cells)
    {
        var counts = Counts(cells, null, 0);
        return new Nb201Cell(counts.Select(c => Array.IndexOf(c, c.Max())).ToArray());
    }

    private static double[][] Counts(IReadOnlyList<Nb201Cell> cells, IReadOnlyList<double>? weights, double smoothing)
    {
        if (cells.Count == 0) throw new GptNasException("a count prior needs at least one cell");
        if (weights is not null && weights.Count != cells.Count) throw new GptNasException($"{weights.Count} weights for {cells.Count} cells");
        if (!(smoothing >= 0)) throw new GptNasException($"the smoothing is {smoothing}; it must be >= 0");
        var counts = Enumerable.Range(0, Nb201Cell.EdgeCount).Select(_ => Enumerable.Repeat(smoothing, Nb201Cell.OpCount).ToArray()).ToArray();
        for (var i = 0; i < cells.Count; i++)
            for (var e = 0; e < Nb201Cell.EdgeCount; e++)
                counts[e][cells[i][e]] += weights?[i] ?? 1;
        return counts;
    }
}
