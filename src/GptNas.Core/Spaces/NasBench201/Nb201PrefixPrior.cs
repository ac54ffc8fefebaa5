using GptNas.Search;

namespace GptNas.Spaces.NasBench201;

/// <summary>
/// GPT-NAS reconstruction (§5) on NB201 cells: walk the 6 edges in order and give each eliminated edge an op
/// drawn from P(op | ops of the edges before it, as rebuilt so far). The distributions are a table over every
/// prefix (1 + 5 + ... + 5^5 = 3,906 of them) exported once from a trained model (the GPT, in
/// GptNas.Torch's <c>Nb201GptPrior</c>), so reconstruction is exact, thread-safe and needs no TorchSharp; all
/// draws come from the <see cref="Random"/> the GA passes in.
/// </summary>
public sealed class Nb201PrefixPrior : ICandidatePrior<Nb201Cell>
{
    /// <summary>Prefixes of 0..5 ops: (5^6 - 1) / 4.</summary>
    public const int PrefixCount = (Nb201Cell.CellCount - 1) / 4;

    private readonly double[][] _next;

    /// <param name="next">Indexed by <see cref="PrefixIndex"/>: for each prefix, the probability of each of the 5 ops next.</param>
    public Nb201PrefixPrior(IReadOnlyList<IReadOnlyList<double>> next)
    {
        if (next.Count != PrefixCount) throw new GptNasException($"an NB201 prefix prior needs {PrefixCount} distributions, got {next.Count}");
        _next = new double[PrefixCount][];
        for (var p = 0; p < PrefixCount; p++)
        {
            var row = next[p];
            var sum = row.Count == Nb201Cell.OpCount && row.All(v => v >= 0 && double.IsFinite(v)) ? row.Sum() : double.NaN;
            if (!(sum > 0)) throw new GptNasException($"the distribution for NB201 prefix {p} is not {Nb201Cell.OpCount} non-negative numbers with a positive sum");
            _next[p] = row.Select(v => v / sum).ToArray();
        }
    }

    /// <summary>Every op equally likely: reconstruction becomes random re-sampling of the eliminated edges.</summary>
    public static Nb201PrefixPrior Uniform() =>
        new(Enumerable.Range(0, PrefixCount).Select(_ => (IReadOnlyList<double>)Enumerable.Repeat(1.0, Nb201Cell.OpCount).ToArray()).ToArray());

    /// <summary>The row of the prefix <c>ops[0..length)</c>: prefixes of length k start at (5^k - 1) / 4, then base 5.</summary>
    public static int PrefixIndex(IReadOnlyList<int> ops, int length)
    {
        if (length is < 0 or >= Nb201Cell.EdgeCount) throw new ArgumentOutOfRangeException(nameof(length), $"a prefix has 0..5 ops, not {length}");
        int start = 0, power = 1, code = 0;
        for (var k = 0; k < length; k++)
        {
            start += power;
            power *= Nb201Cell.OpCount;
            code = code * Nb201Cell.OpCount + ops[k];
        }
        return start + code;
    }

    /// <summary>P(next op | <c>ops[0..length)</c>), one entry per op.</summary>
    public IReadOnlyList<double> Next(IReadOnlyList<int> ops, int length) => _next[PrefixIndex(ops, length)];

    public Reconstruction<Nb201Cell> Rebuild(Nb201Cell candidate, IReadOnlyList<int> eliminated, Random random)
    {
        var ops = candidate.Ops.ToArray();
        var predicted = eliminated.Where(e => e is >= 0 and < Nb201Cell.EdgeCount).Distinct().Order().ToList();
        foreach (var edge in predicted) ops[edge] = Draw(_next[PrefixIndex(ops, edge)], random);
        return new Reconstruction<Nb201Cell>(new Nb201Cell(ops), predicted);
    }

    private static int Draw(double[] probabilities, Random random)
    {
        var u = random.NextDouble();
        for (var op = 0; op < probabilities.Length; op++)
        {
            u -= probabilities[op];
            if (u < 0) return op;
        }
        return Array.FindLastIndex(probabilities, p => p > 0); // rounding left a sliver of u
    }
}
