using static GptNas.Architectures.ParamSpec;

namespace GptNas.Architectures;

// torchvision.models.regnet: SimpleStemIN and ResBottleneckBlock.

/// <summary>RegNet's <c>ResBottleneckBlock</c>: 1x1, grouped 3x3 (groups = width / group_width), optional SE, 1x1, + shortcut.</summary>
internal sealed class ResBottleneckBlockDefinition : BlockDefinition
{
    public override BlockKind Kind => BlockKind.ResBottleneckBlock;
    public override IReadOnlyList<ParamSpec> Settings { get; } =
        [Int("out"), Int("stride", 1), Int("group_width"), Float("bottleneck", 1.0), Float("se", 0.0)];

    internal override void Write(Block b, LayerWriter w)
    {
        var input = w.Shape;
        var outChannels = b.Int("out");
        var stride = b.Int("stride");
        var groupWidth = b.Int("group_width");
        var bottleneckWidth = BottleneckWidth(b);
        if (bottleneckWidth < 1 || bottleneckWidth % groupWidth != 0)
            throw new ArchitectureException($"bottleneck width {bottleneckWidth} is not a multiple of group_width {groupWidth}");
        var main = w.Branch().Conv(bottleneckWidth, 1).BatchNorm().Activation("relu")
            .Conv(bottleneckWidth, 3, stride, groups: bottleneckWidth / groupWidth).BatchNorm().Activation("relu");
        var seRatio = b.Float("se");
        if (seRatio > 0)
            // Python's round() rounds half to even, as Math.Round does by default.
            SqueezeExcitationDefinition.WriteLayers(main, Math.Max(1, (int)Math.Round(seRatio * input.Channels)), "relu");
        main.Conv(outChannels, 1).BatchNorm();
        BottleneckDefinition.Shortcut(w, input, main.Shape, stride);
    }

    internal override IReadOnlyList<Func<Block, Shape, Block>> Fixes { get; } = [FixGroupWidth, ArchitectureRepair.FixStride];

    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random) =>
        Of(("out", width), ("stride", stride), ("group_width", GroupWidth(width)), ("se", random.Next(2) == 0 ? 0.0 : 0.25));

    private static int BottleneckWidth(Block b) => (int)Math.Round(b.Int("out") * b.Float("bottleneck"));

    /// <summary>RegNet's group widths (8..64) where they divide the width.</summary>
    private static int GroupWidth(int width)
    {
        foreach (var candidate in new[] { 16, 8, 4, 2 })
            if (width % candidate == 0) return candidate;
        return 1;
    }

    /// <summary>group_width reduced to the largest divisor of the bottleneck width at most its current value.</summary>
    private static Block FixGroupWidth(Block block, Shape input)
    {
        var bottleneck = BottleneckWidth(block);
        return bottleneck < 1 ? block : block.With("group_width", ArchitectureRepair.LargestDivisorAtMost(bottleneck, block.Int("group_width")));
    }
}

/// <summary>RegNet's <c>SimpleStemIN</c>: a 3x3 Conv2dNormActivation with ReLU.</summary>
internal sealed class SimpleStemINDefinition : BlockDefinition
{
    public override BlockKind Kind => BlockKind.SimpleStemIN;
    public override IReadOnlyList<ParamSpec> Settings { get; } = [Int("out", 32), Int("stride", 2)];

    internal override void Write(Block b, LayerWriter w) => w.Conv(b.Int("out"), 3, b.Int("stride")).BatchNorm().Activation("relu");

    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random) =>
        Of(("out", width), ("stride", stride));
}
