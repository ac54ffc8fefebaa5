using GptNas.Architectures;
using GptNas.Corpora;

namespace GptNas.Tests;

/// <summary>Golden parameter counts (GPT-NAS §4: equal to torchvision's num_params proves the blocks are right).</summary>
public class ReferenceNetworkTests
{
    private static readonly Shape ImageNet = new(3, 224, 224);

    // torchvision's published num_params, kept here literally so the catalog cannot grade itself.
    public static TheoryData<string, long> Published => new()
    {
        { "efficientnet_b0", 5288548 },
        { "efficientnet_b1", 7794184 },
        { "efficientnet_b2", 9109994 },
        { "efficientnet_b3", 12233232 },
        { "efficientnet_b4", 19341616 },
        { "efficientnet_b5", 30389784 },
        { "efficientnet_b6", 43040704 },
        { "efficientnet_b7", 66347960 },
        { "googlenet", 6624904 },
        { "regnet_x_400mf", 5495976 },
        { "regnet_x_800mf", 7259656 },
        { "regnet_x_1_6gf", 9190136 },
        { "regnet_x_3_2gf", 15296552 },
        { "regnet_x_8gf", 39572648 },
        { "regnet_x_16gf", 54278536 },
        { "regnet_x_32gf", 107811560 },
        { "regnet_y_400mf", 4344144 },
        { "regnet_y_800mf", 6432512 },
        { "regnet_y_1_6gf", 11202430 },
        { "regnet_y_3_2gf", 19436338 },
        { "regnet_y_8gf", 39381472 },
        { "regnet_y_16gf", 83590140 },
        { "regnet_y_32gf", 145046770 },
        { "resnet18", 11689512 },
        { "resnet34", 21797672 },
        { "resnet50", 25557032 },
        { "resnet101", 44549160 },
        { "resnet152", 60192808 },
        { "resnext50_32x4d", 25028904 },
        { "resnext101_32x8d", 88791336 },
        { "shufflenet_v2_x0_5", 1366792 },
        { "shufflenet_v2_x1_0", 2278604 },
        { "shufflenet_v2_x1_5", 3503624 },
        { "shufflenet_v2_x2_0", 7393996 },
        { "wide_resnet50_2", 68883240 },
        { "wide_resnet101_2", 126886696 },
    };

    public static TheoryData<string> Names => new(ReferenceNetworks.Names);

    [Theory]
    [MemberData(nameof(Published))]
    public void Parameters_at_224_equal_torchvision(string name, long expected)
    {
        var arch = ReferenceNetworks.Build(name, ImageNet, 1000);
        Assert.Null(arch.Validate());
        Assert.Equal(expected, arch.Parameters);
        Assert.Equal(expected, ReferenceNetworks.PublishedParameters[name]);
    }

    [Fact]
    public void Catalog_has_exactly_the_36_names()
    {
        Assert.Equal(36, ReferenceNetworks.Names.Count);
        Assert.Equal(Published.Select(row => (string)row[0]), ReferenceNetworks.Names);
        Assert.All(ReferenceNetworks.Names, n => Assert.True(ArchitectureCatalog.Contains(n)));
        Assert.False(ReferenceNetworks.Contains("resnet19"));
    }

    [Theory]
    [InlineData("resnet50", 4.09e9)]
    [InlineData("resnet18", 1.81e9)]
    public void Flops_match_torchvision_within_one_percent(string name, double published)
    {
        var flops = ReferenceNetworks.Build(name, ImageNet, 1000).Flops;
        Assert.InRange(flops, published * 0.99, published * 1.01);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Validates_at_cifar_size(string name) =>
        Assert.Null(ReferenceNetworks.Build(name, new Shape(3, 32, 32), 10).Validate());

    // googlenet's 2x2 ceil-mode max-pool before inception 5a meets a 1x1 map here; PyTorch's ceil
    // mode lets the window overhang the edge and gives 1x1, and so does Shape.SlidingOutput.
    [Theory]
    [MemberData(nameof(Names))]
    public void Validates_at_mnist_size(string name) =>
        Assert.Null(ReferenceNetworks.Build(name, new Shape(1, 28, 28), 10).Validate());

    [Theory]
    [InlineData(1, 2, 2, 0, true, 1)]   // window overhangs a 1x1 map: PyTorch still gives 1
    [InlineData(1, 2, 2, 0, false, 0)]
    [InlineData(7, 3, 2, 0, true, 3)]
    [InlineData(6, 3, 2, 0, true, 3)]
    [InlineData(112, 3, 2, 1, false, 56)]
    public void Sliding_output_matches_pytorch(int size, int kernel, int stride, int padding, bool ceil, int expected) =>
        Assert.Equal(expected, Shape.SlidingOutput(size, kernel, stride, padding, 1, ceil));

    [Fact]
    public void Head_dropout_follows_torchvision()
    {
        Assert.Equal(0.2, ReferenceNetworks.Build("efficientnet_b0", ImageNet, 1000).Dropout);
        Assert.Equal(0.5, ReferenceNetworks.Build("efficientnet_b7", ImageNet, 1000).Dropout);
        Assert.Equal(0.2, ReferenceNetworks.Build("googlenet", ImageNet, 1000).Dropout);
        Assert.Equal(0, ReferenceNetworks.Build("resnet50", ImageNet, 1000).Dropout);
    }

    [Fact]
    public void Small_networks_are_small_and_valid()
    {
        var resnet8 = ArchitectureCatalog.Build("resnet8", new Shape(3, 32, 32), 10);
        Assert.Null(resnet8.Validate());
        Assert.InRange(resnet8.Parameters, 75_000, 81_000);
        var wide = ArchitectureCatalog.Build("resnet8w", new Shape(1, 28, 28), 10);
        Assert.Null(wide.Validate());
        Assert.Equal(128, wide.Shapes()[^1].Channels);
        Assert.Contains("resnet8", ArchitectureCatalog.Names);
        var error = Assert.Throws<ArchitectureException>(() => ArchitectureCatalog.Build("resnet9", new Shape(3, 32, 32), 10));
        Assert.Contains("resnet8w", error.Message);
    }
}
