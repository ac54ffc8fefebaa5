namespace GptNas.Tests;

/// <summary>Against values worked out by hand (and as scipy.stats.kendalltau / spearmanr give them).</summary>
public class RankCorrelationTests
{
    [Fact]
    public void SameAndReversedOrderGiveOneAndMinusOne()
    {
        double[] x = [0.1, 0.4, 0.2, 0.9, 0.5];
        Assert.Equal(1, RankCorrelation.KendallTauB(x, x), 12);
        Assert.Equal(1, RankCorrelation.SpearmanRho(x, x), 12);
        var reversed = x.Select(v => -v).ToArray();
        Assert.Equal(-1, RankCorrelation.KendallTauB(x, reversed), 12);
        Assert.Equal(-1, RankCorrelation.SpearmanRho(x, reversed), 12);
    }

    [Fact]
    public void OneSwappedPairOfFour()
    {
        // 6 pairs, only (2, 3) discordant: (5 - 1) / 6. Rank differences 0, 1, 1, 0: 1 - 6 * 2 / (4 * 15).
        double[] x = [1, 2, 3, 4], y = [1, 3, 2, 4];
        Assert.Equal(4.0 / 6, RankCorrelation.KendallTauB(x, y), 12);
        Assert.Equal(0.8, RankCorrelation.SpearmanRho(x, y), 12);
    }

    [Fact]
    public void TiesAreHandledAsTauBAndAverageRanks()
    {
        // Pairs: 4 concordant, 1 tied in x only, 1 tied in y only: 4 / sqrt((6 - 1) (6 - 1)) = 0.8.
        double[] x = [1, 2, 2, 3], y = [1, 2, 3, 3];
        Assert.Equal(0.8, RankCorrelation.KendallTauB(x, y), 12);
        // Ranks (1, 2.5, 2.5, 4) and (1, 2, 3.5, 3.5): covariance 3.75 over variances 4.5 and 4.5.
        Assert.Equal([1, 2.5, 2.5, 4], RankCorrelation.Ranks(x));
        Assert.Equal(3.75 / 4.5, RankCorrelation.SpearmanRho(x, y), 12);
    }

    [Fact]
    public void ConstantScoresHaveNoCorrelation()
    {
        Assert.True(double.IsNaN(RankCorrelation.KendallTauB([1, 1, 1], [1, 2, 3])));
        Assert.True(double.IsNaN(RankCorrelation.SpearmanRho([1, 2, 3], [5, 5, 5])));
    }

    [Fact]
    public void TopKOverlapCountsSharedLeaders()
    {
        double[] proxy = [0.9, 0.8, 0.1, 0.5], final = [0.2, 0.9, 0.8, 0.1];
        Assert.Equal(0.5, RankCorrelation.TopKOverlap(proxy, final, 2));
        Assert.Equal(1, RankCorrelation.TopKOverlap(proxy, final, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankCorrelation.TopKOverlap(proxy, final, 5));
        Assert.Throws<ArgumentException>(() => RankCorrelation.KendallTauB([1, 2], [1]));
    }
}
