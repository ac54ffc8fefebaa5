using GptNas.Architectures;

namespace GptNas.Tests;

public class BlockKindsTests
{
    [Fact]
    public void Every_kind_has_one_definition_of_that_kind()
    {
        Assert.Equal(Enum.GetValues<BlockKind>(), BlockKinds.All.Select(d => d.Kind));
        Assert.All(Enum.GetValues<BlockKind>(), kind => Assert.Equal(kind, BlockKinds.Of(kind).Kind));
    }

    [Fact]
    public void Traits_are_those_of_the_kinds_layers()
    {
        var keepsWidth = new[] { BlockKind.SqueezeExcitation, BlockKind.BatchNorm, BlockKind.ReLU, BlockKind.MaxPool, BlockKind.AvgPool };
        var keepsResolution = new[] { BlockKind.SqueezeExcitation, BlockKind.Inception, BlockKind.BatchNorm, BlockKind.ReLU };
        foreach (var definition in BlockKinds.All)
        {
            Assert.Equal(!keepsWidth.Contains(definition.Kind), definition.SetsWidth);
            Assert.Equal(!keepsResolution.Contains(definition.Kind), definition.CanDownsample);
        }
    }

    [Fact]
    public void An_unknown_kind_is_refused()
    {
        Assert.Throws<ArchitectureException>(() => BlockKinds.Of((BlockKind)99));
        Assert.False(BlockKinds.TryParse("99", out _));
        Assert.True(BlockKinds.TryParse("Inception", out var kind) && kind == BlockKind.Inception);
    }
}
