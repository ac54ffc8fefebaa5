using GptNas.Architectures;
using GptNas.Corpora;

namespace GptNas.Tests;

/// <summary>Golden parameter counts (GPT-NAS §4: equal to torchvision's num_params proves the blocks are right).</summary>
public class ReferenceNetworkTests
{
    private static readonly Shape ImageNet = new(3, 224, 224);

    public static TheoryData<string, long> Published => TorchvisionParameters.Published;

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
        Assert.Equal(78_042, resnet8.Parameters);
        var wide = ArchitectureCatalog.Build("resnet8w", new Shape(1, 28, 28), 10);
        Assert.Null(wide.Validate());
        Assert.Equal(128, wide.Shapes()[^1].Channels);
        Assert.Contains("resnet8", ArchitectureCatalog.Names);
        // airbench94: whitening conv 2x2 to 24 (with a bias, no BN), convs 24-64-64, 64-256-256, 256-256-256 (with BN), each
        // group's first conv pooled before its BN, a 3x3 max-pool head down to 1x1, fc 256-10.
        var airbench = ArchitectureCatalog.Build("airbench94", new Shape(3, 32, 32), 10);
        Assert.Null(airbench.Validate());
        long conv(int i, int o, int k) => i * o * k * k + 2 * o;
        Assert.Equal(3 * 24 * 2 * 2 + 24 + conv(24, 64, 3) + conv(64, 64, 3) + conv(64, 256, 3) + 2 * conv(256, 256, 3) + conv(256, 256, 3) + 256 * 10 + 10,
            airbench.Parameters);
        Assert.Equal(new[] { 32, 31, 15, 15, 7, 7, 3, 3, 1 }, airbench.Shapes().Select(s => s.Height).ToArray());
        var units = airbench.Flatten().ToList();
        Assert.True(units[0].Bias);
        Assert.Equal("GELU", units[1].Name);
        Assert.Equal((LayerCategory.Pool, PoolType.Max, 2), (units[3].Category, units[3].Pool, units[3].Kernel));
        Assert.Equal(["BN", "GELU"], units[4..6].Select(u => u.Name));
        Assert.Equal(airbench, Architecture.Parse(airbench.ToString()));
        var error = Assert.Throws<ArchitectureException>(() => ArchitectureCatalog.Build("resnet9", new Shape(3, 32, 32), 10));
        Assert.Contains("resnet8w", error.Message);
    }

    // He et al.'s CIFAR ResNets with projection shortcuts where the shape changes, counted by PyTorch 1.13 from the same
    // definition (conv 3x3 stem to 16 + BN, n BasicBlocks at 16, 32/2, 64/2, fc 64-10); resnet20 is the paper's 0.27M.
    [Theory]
    [InlineData("resnet20", 3, 272_474)]
    [InlineData("resnet32", 5, 466_906)]
    [InlineData("resnet44", 7, 661_338)]
    [InlineData("resnet56", 9, 855_770)]
    [InlineData("resnet110", 18, 1_730_714)]
    public void Cifar_resnets_match_pytorch_parameter_counts(string name, int perStage, long parameters)
    {
        var network = ArchitectureCatalog.Build(name, new Shape(3, 32, 32), 10);
        Assert.Null(network.Validate());
        Assert.Equal(parameters, network.Parameters);
        Assert.Equal(3 * perStage, network.Blocks.Count);
        Assert.All(network.Blocks, b => Assert.Equal(BlockKind.BasicBlock, b.Kind));
        Assert.Equal(new[] { 32, 16, 8 }, network.Shapes().Skip(network.Stem.Count).Select(s => s.Height).Distinct().ToArray());
    }
}
