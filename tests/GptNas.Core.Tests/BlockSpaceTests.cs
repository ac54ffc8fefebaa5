using GptNas.Architectures;
using GptNas.Search;
using GptNas.Spaces;

namespace GptNas.Tests;

public class BlockSpaceTests
{
    private static readonly BlockSpace Space = new(new BlockSpaceConfig
    {
        Input = new Shape(1, 28, 28), Classes = 10, MinBlocks = 4, MaxBlocks = 8, Widths = [16, 32, 64], MaxDownsamples = 2,
    });

    private static void AssertValid(Architecture candidate)
    {
        Assert.Null(candidate.Validate());
        Assert.True(Space.Admissible(candidate), candidate.Canonical);
    }

    [Fact]
    public void SamplesAreValidWithinLimitsAndUseManyKinds()
    {
        var random = new Random(0);
        var kinds = new HashSet<BlockKind>();
        for (var i = 0; i < 300; i++)
        {
            var candidate = Space.Sample(random);
            AssertValid(candidate);
            Assert.InRange(Space.Downsamples(candidate), 0, 2);
            kinds.UnionWith(candidate.Blocks.Select(b => b.Kind));
        }
        Assert.Equal(15, kinds.Count);
    }

    [Fact]
    public void MutationAndCrossoverKeepCandidatesValid()
    {
        var random = new Random(1);
        var operators = new HashSet<SearchOperator>();
        for (var i = 0; i < 200; i++)
        {
            var (a, b) = (Space.Sample(random), Space.Sample(random));
            var (c, d) = Space.Crossover(a, b, random);
            AssertValid(c);
            AssertValid(d);
            var (mutant, name) = Space.Mutate(c, random);
            operators.Add(name);
            AssertValid(mutant);
        }
        Assert.Equal([SearchOperator.Add, SearchOperator.Remove, SearchOperator.Alter], operators.Order());
    }

    [Fact]
    public void CandidatesRoundTripThroughTheirText()
    {
        var candidate = Space.Sample(new Random(2));
        Assert.Equal(candidate, Space.Decode(Space.Encode(candidate)));
        Assert.Equal(Space.Hash(candidate), Space.Hash(Space.Decode(Space.Encode(candidate))));
    }
}
