using GptNas.Architectures;
using GptNas.Corpora;
using GptNas.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace GptNas.Tests;

/// <summary>
/// The TorchSharp modules against their one definition (BlockDefinition.Write): real parameter counts, feature shapes
/// block by block, refusal of invalid architectures, and a training step through every block kind.
/// </summary>
public class NetworkTests
{
    private static readonly Shape ImageNet = new(3, 224, 224);
    private static readonly Shape Cifar = new(3, 32, 32);

    /// <summary>Parameters on the meta device have shapes but no storage: building regnet_y_32gf costs milliseconds.</summary>
    private static readonly Device Meta = torch.device("meta");

    public static TheoryData<string, long> Published => TorchvisionParameters.Published;

    /// <summary>Every block kind once, with both shortcut forms, both ReLU forms, ceil-mode pooling and airbench's conv forms.</summary>
    private const string EveryKind = """
        input 32x32x3
        classes 10
        stem Conv out=16 kernel=3 stride=1 padding=1 groups=1 bias=0
        stem BatchNorm
        stem ReLU
        stem MaxPool kernel=3 stride=2 padding=1 ceil=1
        block ConvNormActivation out=24 kernel=3 stride=1 groups=1 act=silu
        block SqueezeExcitation squeeze=6 act=silu
        block ConvNormActivation out=24 kernel=5 stride=1 groups=24 act=relu
        block SqueezeExcitation squeeze=4 act=relu
        block ConvNormActivation out=24 kernel=3 stride=1 groups=1 act=gelu norm=none
        block ConvNormActivation out=24 kernel=3 stride=1 groups=1 act=gelu pool=2
        block BasicBlock out=32 stride=1
        block BasicBlock out=32 stride=1
        block ReLU
        block Bottleneck out=64 stride=2 width=16
        block GroupedBottleneck out=64 stride=1 width=32 groups=8
        block WideBottleneck out=64 stride=1 width=64
        block ResBottleneckBlock out=48 stride=1 group_width=8 bottleneck=1 se=0.25
        block ResBottleneckBlock out=48 stride=1 group_width=8 bottleneck=0.5 se=0
        block InvertedResidual out=64 stride=2
        block InvertedResidual out=64 stride=1
        block Inception c1=16 c3r=16 c3=24 c5r=8 c5=8 pool=16
        block AvgPool kernel=3 stride=2 padding=1 ceil=1
        block SimpleStemIN out=32 stride=1
        block Conv out=40 kernel=1 stride=1 padding=0 groups=1 bias=1
        block ReLU
        head dropout=0.2
        """;

    [Fact]
    public void Reference_networks_list_is_the_published_one()
    {
        var literal = Published.Select(row => (string)row[0]).Order(StringComparer.Ordinal);
        Assert.Equal(literal, ReferenceNetworks.Names.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Published))]
    public void Module_parameters_equal_analytic_and_published_at_224(string name, long published)
    {
        var arch = ReferenceNetworks.Build(name, ImageNet, 1000);
        using var network = NetworkBuilder.Build(arch, new Seeds(0), Meta);
        Assert.Equal(published, arch.Parameters);
        Assert.Equal(published, CountParameters(network));
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("shufflenet_v2_x0_5")]
    [InlineData("efficientnet_b0")]
    [InlineData("regnet_y_400mf")]
    [InlineData("googlenet")]
    public void Reference_network_forward_shapes_match_the_architecture_at_32(string name) =>
        AssertForwardShapes(ReferenceNetworks.Build(name, Cifar, 10));

    [Fact]
    public void Every_block_kind_builds_with_the_analytic_parameter_count_and_shapes()
    {
        var arch = Architecture.Parse(EveryKind);
        Assert.Null(arch.Validate());
        Assert.Equal(Enum.GetValues<BlockKind>().Length, arch.AllBlocks.Select(b => b.Kind).Distinct().Count());
        AssertForwardShapes(arch);
    }

    [Fact]
    public void Forward_leaves_its_input_unchanged_even_when_the_first_block_is_a_relu()
    {
        var arch = Architecture.Parse("""
            input 8x8x3
            classes 4
            stem ReLU
            block Conv out=8 kernel=3 stride=1 padding=1 groups=1 bias=0
            block ReLU
            head dropout=0
            """);
        using var network = NetworkBuilder.Build(arch, new Seeds(1));
        var generator = new Generator(3);
        using var x = torch.randn([2, 3, 8, 8], generator: generator);
        using var before = x.clone();
        using var y = network.call(x);
        Assert.True(x.allclose(before, rtol: 0, atol: 0));
    }

    [Fact]
    public void An_invalid_architecture_is_refused_with_the_Validate_message()
    {
        var arch = Architecture.Parse("""
            input 32x32x3
            classes 10
            stem Conv out=16 kernel=3 stride=1 padding=1 groups=1 bias=0
            block InvertedResidual out=24 stride=1
            head dropout=0
            """);
        var expected = arch.Validate();
        Assert.NotNull(expected);
        var refused = Assert.Throws<ArchitectureException>(() => NetworkBuilder.Build(arch, new Seeds(1)));
        Assert.Equal(expected, refused.Message);
    }

    [Fact]
    public void A_training_step_through_every_block_kind_gives_every_parameter_a_gradient()
    {
        TorchRuntime.SeedDropout(new Seeds(11));
        var arch = Architecture.Parse(EveryKind);
        using var network = NetworkBuilder.Build(arch, new Seeds(11));
        network.train();
        var generator = new Generator(5);
        using var scope = torch.NewDisposeScope(); // as the trainer wraps each batch
        var x = torch.randn([2, 3, 32, 32], generator: generator);
        var labels = torch.tensor(new long[] { 1, 7 });
        var loss = nn.functional.cross_entropy(network.call(x), labels);
        loss.backward(); // throws if an in-place op overwrote something autograd saved
        Assert.True(float.IsFinite(loss.item<float>()));
        foreach (var (name, parameter) in network.named_parameters())
        {
            Assert.True(parameter.grad is not null, $"{name} has no gradient");
            Assert.True(parameter.grad!.abs().sum().item<float>() > 0, $"{name} has an all-zero gradient");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Forward_disposes_every_intermediate_tensor(bool training)
    {
        // Inside the trainer's per-batch dispose scope only the logits may stay alive (autograd keeps what it
        // needs on its own); each leaked temporary would hold a feature map until the batch ends.
        using var network = NetworkBuilder.Build(Architecture.Parse(EveryKind), new Seeds(1));
        network.train(training);
        var generator = new Generator(9);
        using var x = torch.randn([2, 3, 32, 32], generator: generator);
        using var scope = torch.NewDisposeScope();
        using var logits = network.call(x);
        Assert.Equal(1, scope.DisposablesCount);
    }

    [Fact]
    public void Weights_follow_the_seeds_and_not_the_global_generator()
    {
        var arch = Architecture.Parse(EveryKind);
        torch.manual_seed(1);
        using var first = NetworkBuilder.Build(arch, new Seeds(4));
        torch.manual_seed(2);
        using var again = NetworkBuilder.Build(arch, new Seeds(4));
        using var other = NetworkBuilder.Build(arch, new Seeds(5));
        var random = 0;
        foreach (var ((name, a), (_, b), (_, c)) in first.named_parameters().Zip(again.named_parameters(), other.named_parameters()))
        {
            Assert.True(a.allclose(b, rtol: 0, atol: 0), $"{name} differs for the same seeds");
            if (a.max().item<float>() > a.min().item<float>())
            {
                random++;
                Assert.False(a.allclose(c, rtol: 0, atol: 0), $"{name} is the same for other seeds");
            }
        }
        Assert.True(random > 10);
    }

    [Fact]
    public void Initialization_keeps_each_family_s_distribution()
    {
        // Conv block: kaiming normal fan_out (std sqrt(2 / (k*k*out))), bias 0; ShuffleNet: PyTorch's default,
        // uniform within +-1/sqrt(fan_in); head: normal(0, 0.01), bias 0.
        var arch = Architecture.Parse("""
            input 8x8x3
            classes 10
            stem Conv out=64 kernel=3 stride=1 padding=1 groups=1 bias=1
            block InvertedResidual out=128 stride=2
            head dropout=0
            """);
        using var network = NetworkBuilder.Build(arch, new Seeds(3));
        var parameters = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var stem = parameters["features.0.weight"];
        Assert.Equal(Math.Sqrt(2.0 / (9 * 64)), stem.std().item<float>(), 0.1 * Math.Sqrt(2.0 / (9 * 64)));
        Assert.Equal(0f, parameters["features.0.bias"].abs().max().item<float>());
        var pointwise = parameters["features.1.branch1.2.weight"]; // 1x1, 64 -> 64: bound 1/8
        Assert.InRange(pointwise.abs().max().item<float>(), 0.9 / 8, 1.0 / 8);
        Assert.Equal(0.01, parameters["fc.weight"].std().item<float>(), 0.001);
        Assert.Equal(0f, parameters["fc.bias"].abs().max().item<float>());
    }

    [Fact]
    public void Channel_shuffle_interleaves_the_two_halves_as_torchvision_does()
    {
        using var x = torch.arange(8, dtype: ScalarType.Float32).view(1, 8, 1, 1);
        using var shuffled = InvertedResidual.ChannelShuffle(x, 2);
        Assert.Equal([0f, 4, 1, 5, 2, 6, 3, 7], shuffled.flatten().data<float>().ToArray());
    }

    /// <summary>Runs a batch of 2 block by block: each block's output has the shape Shapes() says; logits are (2, classes).</summary>
    private static void AssertForwardShapes(Architecture arch)
    {
        using var network = NetworkBuilder.Build(arch, new Seeds(1));
        Assert.Equal(arch.Parameters, CountParameters(network));
        network.eval();
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var shapes = arch.Shapes();
        var generator = new Generator(7);
        var x = torch.randn([2, arch.Input.Channels, arch.Input.Height, arch.Input.Width], generator: generator);
        var feature = x;
        var blocks = network.Blocks;
        Assert.Equal(shapes.Count - 1, blocks.Count);
        for (var i = 0; i < blocks.Count; i++)
        {
            feature = blocks[i].call(feature);
            var expected = shapes[i + 1];
            Assert.True(new long[] { 2, expected.Channels, expected.Height, expected.Width }.SequenceEqual(feature.shape),
                $"{arch.AllBlocks.ElementAt(i)}: expected {expected}, got [{string.Join(", ", feature.shape)}]");
        }
        var logits = network.call(x);
        Assert.Equal([2L, arch.Classes], logits.shape);
    }

    private static long CountParameters(nn.Module network) => network.parameters().Sum(p => p.numel());
}
