namespace GptNas.Spaces.NasBench201;

/// <summary>A reported accuracy of the chosen cell: its name in tables and files and how to read it from a row.</summary>
public sealed record Nb201Metric(string Label, string Column, Func<Nb201Record, double> Read)
{
    /// <summary>The four 200-epoch accuracies NB201's Table 5 reports that the table holds.</summary>
    public static IReadOnlyList<Nb201Metric> Reported { get; } =
    [
        new("C10 valid", "cifar10_valid_acc", r => r.Cifar10Valid),
        new("C10 test", "cifar10_test_acc", r => r.Cifar10Test),
        new("C100 test", "cifar100_test_acc", r => r.Cifar100Test),
        new("IN16 test", "imagenet16_test_acc", r => r.ImageNet16Test),
    ];
}

/// <summary>
/// One strategy over its runs: each reported metric, the queries and simulated seconds spent, the CIFAR-10 test
/// regret against the table's best cell and the share of runs that returned a cell with that best accuracy.
/// </summary>
public sealed record Nb201StrategySummary(string Strategy, IReadOnlyList<Spread> Metrics, Spread Queries, Spread Distinct, Spread Spent,
    Spread Regret, double AtOptimum)
{
    /// <param name="optimum">The table's best <c>cifar10_test_acc</c> (94.37 on NB201; two cells share it).</param>
    public static IReadOnlyList<Nb201StrategySummary> Of(IReadOnlyList<Nb201RunResult> results, double optimum) =>
        results.GroupBy(r => r.Strategy).Select(g => new Nb201StrategySummary(
            g.Key,
            Nb201Metric.Reported.Select(m => Spread.Of(g.Select(r => m.Read(r.Best)))).ToList(),
            Spread.Of(g.Select(r => (double)r.Queries)),
            Spread.Of(g.Select(r => (double)r.Distinct)),
            Spread.Of(g.Select(r => r.Spent)),
            Spread.Of(g.Select(r => optimum - r.Best.Cifar10Test)),
            g.Count(r => r.Best.Cifar10Test >= optimum - 1e-9) / (double)g.Count())).ToList();
}

/// <summary>
/// <c>Minuend - Subtrahend</c> per reported metric, paired by run index (both arms of run r share its seeds):
/// the mean of the per-run differences and its standard error, sd(d) / sqrt(n).
/// </summary>
public sealed record Nb201Difference(string Minuend, string Subtrahend, IReadOnlyList<Spread> Metrics)
{
    /// <summary>Null when either strategy did not run.</summary>
    public static Nb201Difference? Of(IReadOnlyList<Nb201RunResult> results, string minuend, string subtrahend)
    {
        var a = results.Where(r => r.Strategy == minuend).ToDictionary(r => r.Run);
        var b = results.Where(r => r.Strategy == subtrahend).ToDictionary(r => r.Run);
        if (a.Count == 0 || b.Count == 0) return null;
        var runs = a.Keys.Where(b.ContainsKey).Order().ToList();
        return new Nb201Difference(minuend, subtrahend,
            Nb201Metric.Reported.Select(m => Spread.Of(runs.Select(r => m.Read(a[r].Best) - m.Read(b[r].Best)))).ToList());
    }
}

/// <summary>
/// NAS-Bench-201 (Dong &amp; Yang, ICLR 2020) Table 5, as quoted in shared/benchmarks/README.md: mean and std over
/// 500 runs of the 200-epoch accuracies of the chosen cell, in <see cref="Nb201Metric.Reported"/>'s order
/// (std NaN where the row has none).
/// </summary>
public sealed record Nb201PublishedRow(string Method, IReadOnlyList<(double Mean, double Std)> Metrics)
{
    public static IReadOnlyList<Nb201PublishedRow> All { get; } =
    [
        new("REA", [(91.19, 0.31), (93.92, 0.30), (71.84, 0.99), (45.54, 1.03)]),
        new("RS", [(90.93, 0.36), (93.70, 0.36), (71.04, 1.07), (44.57, 1.25)]),
        new("REINFORCE", [(91.09, 0.37), (93.85, 0.37), (71.71, 1.09), (45.24, 1.18)]),
        new("BOHB", [(90.82, 0.53), (93.61, 0.52), (70.85, 1.28), (44.42, 1.49)]),
        new("ResNet", [(90.83, double.NaN), (93.97, double.NaN), (70.86, double.NaN), (43.63, double.NaN)]),
        new("optimal", [(91.61, double.NaN), (94.37, double.NaN), (73.51, double.NaN), (47.31, double.NaN)]),
    ];

    /// <summary>The published row of a measured strategy, if NB201 ran it.</summary>
    public static Nb201PublishedRow? For(string strategy) => strategy switch
    {
        "rs" => All[1],
        "rea" => All[0],
        _ => null,
    };
}
