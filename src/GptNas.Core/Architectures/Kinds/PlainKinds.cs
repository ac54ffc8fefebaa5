using static GptNas.Architectures.ParamSpec;

namespace GptNas.Architectures;

// The plain single-layer kinds: PyTorch's own Conv2d, BatchNorm2d, ReLU and pooling layers.

/// <summary>A single <c>nn.Conv2d</c>.</summary>
internal sealed class ConvDefinition : BlockDefinition
{
    public override BlockKind Kind => BlockKind.Conv;
    public override IReadOnlyList<ParamSpec> Settings { get; } =
        [Int("out"), Int("kernel", 3), Int("stride", 1), Int("padding", 1, 0), Int("groups", 1), Int("bias", 0, 0)];

    internal override void Write(Block b, LayerWriter w) =>
        w.Conv(b.Int("out"), b.Int("kernel"), b.Int("stride"), b.Int("padding"), b.Int("groups"), b.Int("bias") == 1);

    internal override IReadOnlyList<Func<Block, Shape, Block>> Fixes { get; } =
        [ArchitectureRepair.FixConvGroups, ArchitectureRepair.FixStride, ArchitectureRepair.FixConvKernel];

    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random) =>
        Of(("out", width), ("kernel", 3), ("stride", stride), ("padding", 1));
}

/// <summary>A single <c>nn.BatchNorm2d</c>.</summary>
internal sealed class BatchNormDefinition : BlockDefinition
{
    public override BlockKind Kind => BlockKind.BatchNorm;
    public override IReadOnlyList<ParamSpec> Settings { get; } = [];
    public override bool SetsWidth => false;

    internal override void Write(Block b, LayerWriter w) => w.BatchNorm();

    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random) => Of();
}

/// <summary>A single <c>nn.ReLU</c>.</summary>
internal sealed class ReLUDefinition : BlockDefinition
{
    public override BlockKind Kind => BlockKind.ReLU;
    public override IReadOnlyList<ParamSpec> Settings { get; } = [];
    public override bool SetsWidth => false;

    internal override void Write(Block b, LayerWriter w) => w.Other("ReLU");

    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random) => Of();
}

/// <summary>
/// <c>nn.MaxPool2d</c> and <c>nn.AvgPool2d</c> (count_include_pad=True): window, stride, padding, ceil mode. By
/// default the window with which torchvision's networks halve the map; kept-size pools use a 3x3 window.
/// </summary>
internal abstract class PoolDefinition(PoolType type, int kernel, int padding) : BlockDefinition
{
    public override IReadOnlyList<ParamSpec> Settings { get; } = [Int("kernel", kernel), Int("stride", 2), Int("padding", padding, 0), Int("ceil", 0, 0)];
    public override bool SetsWidth => false;

    internal override void Write(Block b, LayerWriter w) => w.Pool(type, b.Int("kernel"), b.Int("stride"), b.Int("padding"), b.Int("ceil") == 1);

    internal override IReadOnlyList<Func<Block, Shape, Block>> Fixes { get; } =
        [ArchitectureRepair.FixPoolPadding, ArchitectureRepair.FixStride, ArchitectureRepair.FixPoolKernel];

    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random) =>
        downsample ? Of(("kernel", kernel), ("stride", 2), ("padding", padding)) : Of(("kernel", 3), ("stride", 1), ("padding", 1));
}

/// <summary>A single <c>nn.MaxPool2d</c>; ResNet's stem pool by default.</summary>
internal sealed class MaxPoolDefinition() : PoolDefinition(PoolType.Max, kernel: 3, padding: 1)
{
    public override BlockKind Kind => BlockKind.MaxPool;
}
