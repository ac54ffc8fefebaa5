namespace GptNas;

/// <summary>
/// How alike two scorings rank the same items: Kendall's tau-b, Spearman's rho and top-k overlap. Used to judge
/// a proxy fitness against the final training (does the proxy order architectures as their final accuracy does?).
/// </summary>
public static class RankCorrelation
{
    /// <summary>
    /// Kendall's tau-b: (concordant - discordant) / sqrt((n0 - ties in x) (n0 - ties in y)) over all n0 = n(n-1)/2
    /// pairs; a pair tied in x or in y counts as neither. NaN when either side is constant or fewer than 2 items.
    /// </summary>
    public static double KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        long concordant = 0, discordant = 0, tiedX = 0, tiedY = 0, pairs = 0;
        for (var i = 0; i < x.Count; i++)
            for (var j = i + 1; j < x.Count; j++)
            {
                pairs++;
                var dx = Math.Sign(x[i] - x[j]);
                var dy = Math.Sign(y[i] - y[j]);
                if (dx == 0) tiedX++;
                if (dy == 0) tiedY++;
                if (dx == 0 || dy == 0) continue;
                if (dx == dy) concordant++;
                else discordant++;
            }
        var denominator = Math.Sqrt((double)(pairs - tiedX) * (pairs - tiedY));
        return denominator > 0 ? (concordant - discordant) / denominator : double.NaN;
    }

    /// <summary>Spearman's rho: Pearson's correlation of the ranks, ties given their average rank. NaN when a side is constant.</summary>
    public static double SpearmanRho(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x, y);
        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>
    /// Share of the <paramref name="k"/> highest by <paramref name="x"/> that are also among the k highest by
    /// <paramref name="y"/> (1: the proxy finds the final top k). Ties at the cut go to the earlier item.
    /// </summary>
    public static double TopKOverlap(IReadOnlyList<double> x, IReadOnlyList<double> y, int k)
    {
        Check(x, y);
        if (k < 1 || k > x.Count) throw new ArgumentOutOfRangeException(nameof(k), $"k must be 1..{x.Count}, got {k}");
        var topX = Top(x, k);
        return Top(y, k).Count(topX.Contains) / (double)k;
    }

    /// <summary>Ranks from 1 (smallest) to n; tied values share their average rank.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            var average = (start + end) / 2.0 + 1;
            for (var i = start; i <= end; i++) ranks[order[i]] = average;
            start = end + 1;
        }
        return ranks;
    }

    private static HashSet<int> Top(IReadOnlyList<double> values, int k) =>
        Enumerable.Range(0, values.Count).OrderByDescending(i => values[i]).ThenBy(i => i).Take(k).ToHashSet();

    private static double Pearson(double[] x, double[] y)
    {
        var (mx, my) = (x.Average(), y.Average());
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }

    private static void Check(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"the two scorings cover {x.Count} and {y.Count} items");
        if (x.Any(double.IsNaN) || y.Any(double.IsNaN)) throw new ArgumentException("a score is NaN; leave failed items out");
    }
}
