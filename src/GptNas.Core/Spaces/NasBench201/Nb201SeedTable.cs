namespace GptNas.Spaces.NasBench201;

/// <summary>
/// The per-seed 12-epoch CIFAR-10 validation accuracies that NB201's code picks from at random for each query
/// (<c>get_more_info(..., is_random=True)</c>: <c>random.choice(seeds)</c>, then that seed's <c>valid-accuracy</c>),
/// modelled from the table's mean, because no public small file holds the per-seed 12-epoch values.
/// </summary>
/// <remarks>
/// <para>Model: each cell has <see cref="SeedCount"/> training seeds whose accuracies are <c>m + d</c> and <c>m - d</c>,
/// so their mean is the table's <c>cifar10_valid_acc_12ep</c> (m) exactly; <c>d ~ N(0, sigma^2 / 2)</c> (one seed minus
/// the mean of two), drawn once per cell and fixed for the whole benchmark, as NB201's file is one fixed realisation:
/// a cell queried twice answers one of the same two numbers.</para>
/// <para>sigma, the sd of one seed's accuracy, grows with the error rate: <c>sigma = SdPerErrorPoint x (100 - m)</c>.
/// The slope is fitted on the only public per-seed record in the table, <c>cifar10_test_acc_1seed</c> against the
/// 3-seed mean <c>cifar10_test_acc</c> (200 epochs): for the 11,558 cells above 80 % whose single seed differs from
/// the mean, least squares of 1.5 (1seed - mean)^2 on (100 - mean)^2 gives 0.0286 (observed sigma by band:
/// 0.21 at 92-95 %, 0.25 at 90-92 %, 0.27 at 88-90 %, 0.37 at 84-88 %; the model gives 0.21, 0.25, 0.31, 0.39).
/// NOTE: applying a 200-epoch slope to the 12-epoch signal is an assumption; at the top of the signal (about 85 %)
/// it gives sigma 0.43. The constructor's <c>scale</c> multiplies every d to test how results depend on it.</para>
/// </remarks>
public sealed class Nb201SeedTable
{
    /// <summary>Training seeds per cell in the model.</summary>
    public const int SeedCount = 2;

    /// <summary>sd of one seed's accuracy per point of error (see remarks).</summary>
    public const double SdPerErrorPoint = 0.0286;

    private readonly double[] _deviation = new double[Nb201Cell.CellCount];

    /// <param name="scale">Multiplies the modelled deviations (1: the model; 0: every seed equals the mean).</param>
    /// <param name="seeds">The realisation: every cell's deviation comes from its own stream keyed by its code, so it
    /// does not depend on which rows a table holds.</param>
    public Nb201SeedTable(Nb201Table table, double scale, Seeds seeds)
    {
        if (!(scale >= 0) || !double.IsFinite(scale)) throw new GptNasException($"the seed-noise scale is {scale}; it must be a finite number >= 0");
        var root = seeds.Derive("nb201/seed-table");
        foreach (var record in table.Records)
        {
            var stream = SplitMix64.For(root, record.Cell.Code, 0);
            _deviation[record.Cell.Code] = scale * Sd(record.Cifar10Valid12) * Gaussian(ref stream) / Math.Sqrt(2);
        }
    }

    /// <summary>The modelled sd of one training seed's 12-epoch accuracy around a cell whose mean is <paramref name="accuracy"/>.</summary>
    public static double Sd(double accuracy) => SdPerErrorPoint * Math.Max(0, 100 - accuracy);

    /// <summary>Seed <paramref name="seed"/>'s (0 or 1) 12-epoch validation accuracy of <paramref name="record"/>.</summary>
    public double Value(Nb201Record record, int seed) => seed switch
    {
        0 => record.Cifar10Valid12 + _deviation[record.Cell.Code],
        1 => record.Cifar10Valid12 - _deviation[record.Cell.Code],
        _ => throw new ArgumentOutOfRangeException(nameof(seed), $"a cell has seeds 0 and 1, not {seed}"),
    };

    private static double Gaussian(ref SplitMix64 stream)
    {
        var u1 = ((stream.Next() >> 11) + 1.0) / (1UL << 53); // (0, 1]
        var u2 = (stream.Next() >> 11) / (double)(1UL << 53);
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
