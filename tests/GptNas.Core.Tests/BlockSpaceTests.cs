using GptNas.Architectures;
using GptNas.Corpora;
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
            Assert.InRange(candidate.Downsamples(), 0, 2);
            kinds.UnionWith(candidate.Blocks.Select(b => b.Kind));
        }
        Assert.Equal(15, kinds.Count);
    }

    [Fact]
    public void AdmissibleRefusesADownsamplingFirstBlockAndDownsamplingsBeyondTheLimit()
    {
        Block Conv(int stride) => Block.Of(BlockKind.Conv, ("out", 16), ("kernel", 3), ("stride", stride), ("padding", 1));
        Architecture Of(params int[] strides) => Space.Build(strides.Select(Conv));

        var within = Of(1, 2, 1, 2);
        Assert.Equal([false, true, false, true], within.DownsamplingBlocks());
        Assert.True(Space.Admissible(within));
        Assert.False(Space.Admissible(Of(2, 1, 1, 2)));
        Assert.False(Space.Admissible(Of(1, 2, 2, 2)));
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

    [Fact]
    public void The_corpus_count_predictor_draws_kinds_as_often_as_the_corpus_holds_them_among_those_that_fit()
    {
        var corpus = new[] { "resnet8", "resnet20" }.Select(n => ArchitectureCatalog.Build(n, new Shape(3, 32, 32), 10));
        var predictor = CorpusCountBlockPredictor.Of(corpus);
        Assert.Equal(new Dictionary<BlockKind, int> { [BlockKind.BasicBlock] = 12 }, predictor.Blocks); // stems not counted
        static BlockPosition At(params BlockKind[] kinds) => new(kinds.ToHashSet(), new HashSet<LayerToken>(), 0, _ => kinds.ToHashSet(), _ => 1);
        var random = new Random(0);
        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(BlockKind.BasicBlock, predictor.Predict(null!, At(BlockKind.BasicBlock, BlockKind.ReLU), random).Kind));
        // No counted kind fits: a uniform draw among those that do.
        var drawn = Enumerable.Range(0, 200).Select(_ => predictor.Predict(null!, At(BlockKind.Conv, BlockKind.ReLU), random)).ToList();
        Assert.Equal(new[] { BlockKind.Conv, BlockKind.ReLU }.Order(), drawn.Select(p => p.Kind).Distinct().Order());
        Assert.All(drawn, p => Assert.Empty(p.Layers));
        var mixed = new CorpusCountBlockPredictor(new Dictionary<BlockKind, int> { [BlockKind.Conv] = 3, [BlockKind.ReLU] = 1 });
        var convs = Enumerable.Range(0, 4000).Count(_ => mixed.Predict(null!, At(BlockKind.Conv, BlockKind.ReLU, BlockKind.MaxPool), random).Kind == BlockKind.Conv);
        Assert.InRange(convs, 2850, 3150); // 3 in 4
    }
}
