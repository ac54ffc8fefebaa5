using static GptNas.Architectures.ParamSpec;

namespace GptNas.Architectures;

// torchvision.models.resnet: BasicBlock and Bottleneck (v1.5: the stride sits on the 3x3 conv). ResNeXt
// (GroupedBottleneck) and Wide ResNet (WideBottleneck) are the same Bottleneck class with other widths and groups.

/// <summary>torchvision's ResNet <c>BasicBlock</c>: 3x3 conv (stride), BN, ReLU, 3x3 conv, BN, + shortcut, ReLU.</summary>
internal sealed class BasicBlockDefinition : BlockDefinition
{
    public override BlockKind Kind => BlockKind.BasicBlock;
    public override IReadOnlyList<ParamSpec> Settings { get; } = [Int("out"), Int("stride", 1)];

    internal override void Write(Block b, LayerWriter w)
    {
        var input = w.Shape;
        var stride = b.Int("stride");
        var main = w.Branch().Conv(b.Int("out"), 3, stride).BatchNorm().Activation("relu").Conv(b.Int("out"), 3).BatchNorm();
        BottleneckDefinition.Shortcut(w, input, main.Shape, stride);
    }

    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random) =>
        Of(("out", width), ("stride", stride));
}

/// <summary>
/// torchvision's ResNet <c>Bottleneck</c>: 1x1 conv to <c>width</c>, 3x3 conv (stride, groups), 1x1 conv to
/// <c>out</c>, each with BN (ReLU after the first two), + shortcut, ReLU. ResNet's width is a quarter of out.
/// </summary>
internal class BottleneckDefinition : BlockDefinition
{
    public override BlockKind Kind => BlockKind.Bottleneck;
    public override IReadOnlyList<ParamSpec> Settings { get; } = [Int("out"), Int("stride", 1), Int("width")];

    /// <summary>torchvision's width per out channel: ResNet's expansion of 4 (Wide ResNet: 2).</summary>
    private protected virtual int WidthDivisor => 4;

    private protected virtual int Groups(Block b) => 1;

    internal sealed override void Write(Block b, LayerWriter w)
    {
        var input = w.Shape;
        var stride = b.Int("stride");
        var width = b.Int("width");
        var main = w.Branch().Conv(width, 1).BatchNorm().Activation("relu")
            .Conv(width, 3, stride, groups: Groups(b)).BatchNorm().Activation("relu")
            .Conv(b.Int("out"), 1).BatchNorm();
        Shortcut(w, input, main.Shape, stride);
    }

    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random) =>
        Of(("out", width), ("stride", stride), ("width", Math.Max(1, width / WidthDivisor)));

    /// <summary>The residual merge: a 1x1 projection (conv + BN) when shape changes, then add and ReLU.</summary>
    internal static void Shortcut(LayerWriter w, Shape input, Shape mainOutput, int stride)
    {
        if (stride != 1 || input.Channels != mainOutput.Channels)
            w.BranchFrom(input).Conv(mainOutput.Channels, 1, stride).BatchNorm();
        w.BranchFrom(mainOutput).Other("add").Activation("relu");
        w.SyncToLastUnit();
    }
}

/// <summary>Wide ResNet's Bottleneck: the same block, twice as wide inside (width = out / 2).</summary>
internal sealed class WideBottleneckDefinition : BottleneckDefinition
{
    public override BlockKind Kind => BlockKind.WideBottleneck;
    private protected override int WidthDivisor => 2;
}

/// <summary>ResNeXt's Bottleneck: the 3x3 conv in <c>groups</c> groups.</summary>
internal sealed class GroupedBottleneckDefinition : BottleneckDefinition
{
    public override BlockKind Kind => BlockKind.GroupedBottleneck;
    public override IReadOnlyList<ParamSpec> Settings { get; } = [Int("out"), Int("stride", 1), Int("width"), Int("groups", 32)];

    private protected override int Groups(Block b) => b.Int("groups");

    internal override IReadOnlyList<Func<Block, Shape, Block>> Fixes { get; } = [FixGroups, ArchitectureRepair.FixStride];

    /// <summary>ResNeXt's 32 groups where the width allows (4 channels a group at least), else fewer.</summary>
    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random)
    {
        var inner = Math.Max(1, width / 2);
        var groups = 32;
        while (groups > 1 && (inner % groups != 0 || inner / groups < 4)) groups /= 2;
        return Of(("out", width), ("stride", stride), ("width", inner), ("groups", groups));
    }

    /// <summary>groups reduced to the largest divisor of the width at most their current value.</summary>
    private static Block FixGroups(Block block, Shape input) =>
        block.With("groups", ArchitectureRepair.LargestDivisorAtMost(block.Int("width"), block.Int("groups")));
}
