using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Corpora.NasBench101;

namespace GptNas.Tests;

/// <summary>Layer tokens: sizes relative to the input, the same at 28x28, 32x32 and 224x224.</summary>
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
    public void Resnet18_tokens_read_as_down_sampling_factors()
    {
        var tokens = LayerToken.Encode(ReferenceNetworks.Build("resnet18", new Shape(3, 28, 28), 10)).Select(t => t.Text).ToList();
        Assert.Equal("conv in=/1x3 out=/2x64 kernel=7 stride=2 padding=3 dilation=1 groups=1 bias=0", tokens[0]);
        Assert.Equal("pool type=max in=/2x64 out=/4x64 kernel=3 stride=2 padding=1", tokens[3]);
        // At 28x28 this map is 4x4: 28 / 4 is 7, but the network has halved it three times.
        Assert.Contains("conv in=/4x64 out=/8x128 kernel=3 stride=2 padding=1 dilation=1 groups=1 bias=0", tokens);
        Assert.Equal("pool type=avg in=/32x512 out=gx512 kernel=g stride=1 padding=0", tokens[^2]);
        Assert.Equal("fc in=512 out=10", tokens[^1]);
    }

    [Fact]
    public void Squeeze_excitation_maps_are_global()
    {
        var tokens = LayerToken.Encode(ReferenceNetworks.Build("efficientnet_b0", new Shape(3, 32, 32), 10)).Select(t => t.Text).ToList();
        Assert.Contains("pool type=avg in=/2x32 out=gx32 kernel=g stride=1 padding=0", tokens);
        Assert.Contains("conv in=gx32 out=gx8 kernel=1 stride=1 padding=0 dilation=1 groups=1 bias=1", tokens);
        Assert.Contains("other name=mul in=gx32 out=/2x32 value=0", tokens);
    }

    [Fact]
    public void Text_round_trips_and_errors_name_the_field()
    {
        var tokens = LayerToken.Encode(ReferenceNetworks.Build("googlenet", new Shape(3, 32, 32), 10))
            .Concat(NasBench101Skeleton.Tokens(NasBench101CellTests.Inception, NasBench101Skeleton.DefaultInput)).Distinct().ToList();
        Assert.All(tokens, t => Assert.Equal(t, LayerToken.Parse(t.Text)));
        Assert.Contains("unknown layer category 'conv2d'", Assert.Throws<ArchitectureException>(() => LayerToken.Parse("conv2d in=/1x3", 4)).Message);
        Assert.Contains("line 4: field 'in' must be a relative size", Assert.Throws<ArchitectureException>(() =>
            LayerToken.Parse("conv in=32x32x3 out=/1x8 kernel=3 stride=1 padding=1 dilation=1 groups=1 bias=0", 4)).Message);
    }

    [Fact]
    public void NasBench101_tokens_halve_per_stack()
    {
        var tokens = NasBench101Skeleton.Tokens(NasBench101CellTests.Inception, NasBench101Skeleton.DefaultInput).Select(t => t.Text).ToList();
        Assert.Contains("pool type=max in=/1x128 out=/2x128 kernel=2 stride=2 padding=0", tokens);
        Assert.Contains("other name=concat in=/4x128 out=/4x512 value=0", tokens);
        Assert.Equal("pool type=avg in=/4x512 out=gx512 kernel=g stride=1 padding=0", tokens[^2]);
    }
}
