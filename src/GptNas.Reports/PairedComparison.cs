namespace GptNas.Reports;

/// <summary>
/// The first group of a report (GPT-NAS where it is there) against another over the seeds both ran: the paired
/// differences (first minus other) of final test top-1 and best proxy fitness. A seed draws the data split and the
/// first population sampled (which the rebuilding arms then rebuild), so pairing by seed removes what they share.
/// </summary>
public sealed record PairedComparison(string Reference, string Other, Spread FinalDifference, Spread ProxyDifference, int ReferenceBetter, int OtherBetter)
{
    public int Pairs => FinalDifference.Count;

    /// <summary>One comparison per group after the first that shares at least one finished seed with it.</summary>
    public static IReadOnlyList<PairedComparison> Of(IReadOnlyList<RunSummary> runs)
    {
        var groups = runs.Where(r => r.Final is not null).GroupBy(r => r.GroupOrder).OrderBy(g => g.Key).ToList();
        if (groups.Count < 2) return [];
        var reference = BySeed(groups[0]);
        var comparisons = new List<PairedComparison>();
        foreach (var group in groups.Skip(1))
        {
            var pairs = BySeed(group).Where(o => reference.ContainsKey(o.Key)).Select(o => (First: reference[o.Key], Other: o.Value)).ToList();
            if (pairs.Count == 0) continue;
            var final = pairs.Select(p => p.First.Final!.TestTop1 - p.Other.Final!.TestTop1).ToList();
            var proxy = pairs.Where(p => p.First.BestFitness is not null && p.Other.BestFitness is not null)
                .Select(p => p.First.BestFitness!.Value - p.Other.BestFitness!.Value);
            comparisons.Add(new PairedComparison(groups[0].First().Group, group.First().Group, Spread.Of(final), Spread.Of(proxy),
                final.Count(d => d > 0), final.Count(d => d < 0)));
        }
        return comparisons;
    }

    private static Dictionary<int, RunSummary> BySeed(IEnumerable<RunSummary> group) =>
        group.GroupBy(r => r.Seed).ToDictionary(g => g.Key, g => g.First());
}
