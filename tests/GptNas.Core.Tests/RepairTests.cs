using GptNas.Architectures;
using GptNas.Corpora;

namespace GptNas.Tests;

/// <summary>The repair step (GPT-NAS §2): after an edit, only the blocks that no longer fit change, minimally.</summary>
public class RepairTests
{
    private static readonly Shape Cifar = new(3, 32, 32);

    private static Architecture Edit(Architecture arch, int index, string setting, object value) =>
        arch.WithBlocks(arch.Blocks.Select((b, i) => i == index ? b.With(setting, value) : b));

    /// <summary>Asserts that <paramref name="repaired"/> differs from <paramref name="edited"/> only at <paramref name="index"/>.</summary>
    private static void AssertOnlyChanged(Architecture edited, Architecture repaired, int index, Block expected)
    {
        Assert.Null(repaired.Validate());
        Assert.Equal(edited.Stem, repaired.Stem);
        Assert.Equal(edited.Blocks.Count, repaired.Blocks.Count);
        for (var i = 0; i < edited.Blocks.Count; i++)
            Assert.Equal(i == index ? expected : edited.Blocks[i], repaired.Blocks[i]);
    }

    [Theory]
    [InlineData("resnet50")]
    [InlineData("efficientnet_b0")]
    [InlineData("shufflenet_v2_x1_0")]
    [InlineData("regnet_y_400mf")]
    [InlineData("googlenet")]
    [InlineData("resnet8")]
    public void Valid_architectures_are_left_alone(string name)
    {
        var arch = ArchitectureCatalog.Build(name, Cifar, 10);
        Assert.Equal(arch, arch.Repair());
    }

    [Fact]
    public void Inverted_residual_after_a_width_change_takes_stride_2()
    {
        var arch = ReferenceNetworks.Build("shufflenet_v2_x0_5", Cifar, 10);
        var edited = Edit(arch, 0, "out", 64); // block 2 (stride 1, out 48) now gets 64 channels
        Assert.Contains("block 2 (InvertedResidual)", edited.Validate());
        var repaired = edited.Repair();
        AssertOnlyChanged(edited, repaired, 1, edited.Blocks[1].With("stride", 2));
    }

    [Fact]
    public void Inverted_residual_on_a_1x1_map_keeps_its_input_width()
    {
        var arch = Architecture.Parse("""
            input 2x2x3
            classes 10
            stem Conv out=16 kernel=3 stride=2 padding=1 groups=1 bias=0
            block InvertedResidual out=32 stride=2
            block InvertedResidual out=32 stride=1
            block BasicBlock out=64 stride=1
            head dropout=0
            """);
        Assert.Null(arch.Validate());
        var edited = Edit(arch, 0, "out", 40);
        AssertOnlyChanged(edited, edited.Repair(), 1, edited.Blocks[1].With("out", 40));
    }

    [Fact]
    public void Depthwise_conv_after_a_width_change_reduces_its_groups()
    {
        var arch = ReferenceNetworks.Build("efficientnet_b0", Cifar, 10);
        var expand = arch.Blocks.ToList().FindIndex(b => b.Kind == BlockKind.ConvNormActivation && b.Int("out") == 96);
        var edited = Edit(arch, expand, "out", 64); // the depthwise conv after it has out=groups=96
        Assert.Contains($"block {expand + 2} (ConvNormActivation)", edited.Validate());
        AssertOnlyChanged(edited, edited.Repair(), expand + 1, edited.Blocks[expand + 1].With("groups", 32));
    }

    [Fact]
    public void Grouped_bottleneck_takes_any_input_width_and_repairs_its_own_groups()
    {
        var arch = ReferenceNetworks.Build("resnext50_32x4d", Cifar, 10);
        // A new width in front of a grouped Bottleneck: its 1x1 conv and projection take any width.
        var widened = Edit(arch, 0, "out", 200);
        Assert.Null(widened.Validate());
        Assert.Equal(widened, widened.Repair());
        // A width its 32 groups do not divide: groups drop to the largest divisor of 100 below 32.
        var edited = Edit(arch, 1, "width", 100);
        Assert.Contains("block 2 (GroupedBottleneck)", edited.Validate());
        AssertOnlyChanged(edited, edited.Repair(), 1, edited.Blocks[1].With("groups", 25));
    }

    [Fact]
    public void Res_bottleneck_block_reduces_its_group_width()
    {
        var arch = ReferenceNetworks.Build("regnet_x_400mf", Cifar, 10);
        var edited = Edit(arch, 0, "out", 40); // group_width 16 does not divide 40
        AssertOnlyChanged(edited, edited.Repair(), 0, edited.Blocks[0].With("group_width", 10));
    }

    [Fact]
    public void Pool_that_finds_no_room_shrinks_its_window()
    {
        var arch = Architecture.Parse("""
            input 4x4x3
            classes 10
            block MaxPool kernel=3 stride=2 padding=0 ceil=0
            block MaxPool kernel=3 stride=2 padding=0 ceil=0
            block Conv out=8 kernel=1 stride=1 padding=0 groups=1 bias=0
            head dropout=0
            """);
        AssertOnlyChanged(arch, arch.Repair(), 1, arch.Blocks[1].With("kernel", 1));
    }

    [Fact]
    public void A_block_no_setting_can_fit_is_dropped()
    {
        // A bottleneck width of round(2 * 0.25) = 0 channels cannot be fixed by any setting it has.
        var arch = Architecture.Parse("""
            input 8x8x3
            classes 10
            block BasicBlock out=16 stride=1
            block ResBottleneckBlock out=2 stride=1 group_width=1 bottleneck=0.25 se=0
            block BasicBlock out=16 stride=2
            head dropout=0
            """);
        var repaired = arch.Repair();
        Assert.Null(repaired.Validate());
        Assert.Equal([arch.Blocks[0], arch.Blocks[2]], repaired.Blocks);
    }

    [Fact]
    public void Repair_is_deterministic_and_idempotent()
    {
        var arch = ReferenceNetworks.Build("shufflenet_v2_x1_0", Cifar, 10);
        var edited = Edit(Edit(arch, 0, "out", 100), 4, "out", 301);
        var once = edited.Repair();
        Assert.Null(once.Validate());
        Assert.Equal(once, edited.Repair());
        Assert.Equal(once, once.Repair());
    }
}
