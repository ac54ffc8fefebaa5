using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Corpora.NasBench101;

namespace GptNas.Tests;

/// <summary>Layer tokens: stages relative to the first block, widths relative to the layer before, the same at 28x28, 32x32 and 224x224.</summary>
public class LayerTokenTests
{
    [Theory]
    [InlineData("resnet18")]
    [InlineData("efficientnet_b0")]
    [InlineData("googlenet")]
    [InlineData("regnet_y_400mf")]
    [InlineData("shufflenet_v2_x0_5")]
    public void Tokens_are_the_same_at_28_32_and_224(string name)
    {
        var at = (int size) => LayerToken.Encode(ReferenceNetworks.Build(name, new Shape(3, size, size), 10)).Select(t => t.Text).ToArray();
        var at32 = at(32);
        Assert.Equal(at32, at(28));
        Assert.Equal(at32, at(224));
    }

    [Fact]
    public void Resnet18_tokens_read_as_stages_and_channel_ratios()
    {
        var tokens = LayerToken.Encode(ReferenceNetworks.Build("resnet18", new Shape(3, 28, 28), 10)).Select(t => t.Text).ToList();
        // The stem halves twice before the first block: its layers sit at stages -2 and -1.
        Assert.Equal("conv stage=-2 ratio=img kernel=7 stride=2 padding=3 dilation=1 groups=1 bias=0", tokens[0]);
        Assert.Equal("pool type=max stage=-1 kernel=3 stride=2 padding=1", tokens[3]);
        // At 28x28 this map is 4x4: 28 / 4 is 7, but the network has halved it twice since the first block.
        Assert.Contains("conv stage=1 ratio=+2 kernel=3 stride=2 padding=1 dilation=1 groups=1 bias=0", tokens);
        Assert.Equal("pool type=avg stage=3 kernel=g stride=1 padding=0", tokens[^2]);
        Assert.Equal("fc", tokens[^1]);
    }

    [Fact]
    public void A_small_candidate_and_the_corpora_share_their_tokens_stage_by_stage()
    {
        // A 28x28x1 candidate of the quick preset (stem to 16, no down-sampling) and resnet18 (stem to 64 at 1/4):
        // a BasicBlock at the first stage and a down-sampling one after it read the same in both.
        var candidate = Architecture.Parse("""
            input 28x28x1
            classes 10
            stem ConvNormActivation out=16 kernel=3 stride=1
            block BasicBlock out=16 stride=1
            block BasicBlock out=32 stride=2
            head dropout=0
            """);
        var resnet = LayerToken.Encode(ReferenceNetworks.Build("resnet18", new Shape(3, 224, 224), 1000)).Select(t => t.Text).ToHashSet();
        var tokens = LayerToken.Encode(candidate).Select(t => t.Text).ToList();
        Assert.All(tokens.Skip(3).SkipLast(2), t => Assert.Contains(t, resnet));
        // Its stem is NAS-Bench-101's: a 3x3 conv-BN-ReLU from the image at full size.
        var cell = NasBench101Skeleton.Tokens(NasBench101CellTests.Inception, NasBench101Skeleton.DefaultInput).Select(t => t.Text).ToList();
        Assert.Equal(cell.Take(3), tokens.Take(3));
    }

    [Fact]
    public void Squeeze_excitation_maps_are_global()
    {
        var tokens = LayerToken.Encode(ReferenceNetworks.Build("efficientnet_b0", new Shape(3, 32, 32), 10)).Select(t => t.Text).ToList();
        Assert.Contains("pool type=avg stage=0 kernel=g stride=1 padding=0", tokens);
        Assert.Contains("conv stage=g ratio=-4 kernel=1 stride=1 padding=0 dilation=1 groups=1 bias=1", tokens);
        Assert.Contains("conv stage=0 ratio=0 kernel=3 stride=1 padding=1 dilation=1 groups=dw bias=0", tokens);
        Assert.Contains("other name=mul stage=g ratio=0 value=0", tokens);
    }

    [Fact]
    public void Text_round_trips_and_errors_name_the_field()
    {
        var tokens = LayerToken.Encode(ReferenceNetworks.Build("googlenet", new Shape(3, 32, 32), 10))
            .Concat(LayerToken.Encode(ReferenceNetworks.Build("regnet_y_400mf", new Shape(3, 32, 32), 10)))
            .Concat(NasBench101Skeleton.Tokens(NasBench101CellTests.Inception, NasBench101Skeleton.DefaultInput)).Distinct().ToList();
        Assert.All(tokens, t => Assert.Equal(t, LayerToken.Parse(t.Text)));
        Assert.Contains(tokens, t => t.Groups == Grouping.Grouped);
        Assert.Contains("unknown layer category 'conv2d'", Assert.Throws<ArchitectureException>(() => LayerToken.Parse("conv2d stage=0", 4)).Message);
        Assert.Contains("line 4: field 'stage' must be a whole number of halvings", Assert.Throws<ArchitectureException>(() =>
            LayerToken.Parse("conv stage=/1 ratio=+2 kernel=3 stride=1 padding=1 dilation=1 groups=1 bias=0", 4)).Message);
        Assert.Contains("line 4: field 'ratio' must be half-octaves", Assert.Throws<ArchitectureException>(() =>
            LayerToken.Parse("conv stage=0 ratio=x2 kernel=3 stride=1 padding=1 dilation=1 groups=1 bias=0", 4)).Message);
    }

    [Fact]
    public void NasBench101_tokens_halve_per_stack()
    {
        var tokens = NasBench101Skeleton.Tokens(NasBench101CellTests.Inception, NasBench101Skeleton.DefaultInput).Select(t => t.Text).ToList();
        Assert.Equal("conv stage=0 ratio=img kernel=3 stride=1 padding=1 dilation=1 groups=1 bias=0", tokens[0]);
        Assert.Contains("pool type=max stage=0 kernel=2 stride=2 padding=0", tokens);
        Assert.Contains("pool type=max stage=1 kernel=2 stride=2 padding=0", tokens);
        Assert.Equal("pool type=avg stage=2 kernel=g stride=1 padding=0", tokens[^2]);
    }
}
