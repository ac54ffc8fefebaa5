using static GptNas.Architectures.ParamSpec;

namespace GptNas.Architectures;

// torchvision.models.googlenet: the Inception block, and the average pooling GPT-NAS takes from it.

/// <summary>torchvision's GoogLeNet <c>Inception</c>: four branches (1x1; 1x1-3x3; 1x1-"5x5"; pool-1x1) concatenated.</summary>
internal sealed class InceptionDefinition : BlockDefinition
{
    public override BlockKind Kind => BlockKind.Inception;
    public override IReadOnlyList<ParamSpec> Settings { get; } = [Int("c1"), Int("c3r"), Int("c3"), Int("c5r"), Int("c5"), Int("pool")];

    internal override void Write(Block b, LayerWriter w)
    {
        var input = w.Shape;
        // torchvision's "5x5" branch really uses a 3x3 kernel (kept for weight compatibility); so do we.
        w.Branch().Conv(b.Int("c3r"), 1).BatchNorm().Activation("relu").Conv(b.Int("c3"), 3).BatchNorm().Activation("relu");
        w.BranchFrom(input).Conv(b.Int("c5r"), 1).BatchNorm().Activation("relu").Conv(b.Int("c5"), 3).BatchNorm().Activation("relu");
        w.BranchFrom(input).Pool(PoolType.Max, 3, 1, 1, ceil: true).Conv(b.Int("pool"), 1).BatchNorm().Activation("relu");
        w.BranchFrom(input).Conv(b.Int("c1"), 1).BatchNorm().Activation("relu");
        var channels = b.Int("c1") + b.Int("c3") + b.Int("c5") + b.Int("pool");
        w.BranchFrom(input).Other("concat", input.WithChannels(channels));
        w.SyncToLastUnit();
    }

    /// <summary>GoogLeNet's branch proportions (inception 3a: 64/96-128/16-32/32 of 256) scaled to <paramref name="width"/>.</summary>
    private protected override Block Propose(Shape input, int width, bool downsample, int stride, Random random)
    {
        var c1 = Math.Max(1, width / 4);
        var c3 = Math.Max(1, width / 2);
        var c5 = Math.Max(1, width / 8);
        var pool = Math.Max(1, width - c1 - c3 - c5);
        return Of(("c1", c1), ("c3r", Math.Max(1, c3 * 3 / 4)), ("c3", c3), ("c5r", Math.Max(1, c5 / 2)), ("c5", c5), ("pool", pool));
    }
}

/// <summary>A single <c>nn.AvgPool2d</c>; a 2x2 window that halves the map by default.</summary>
internal sealed class AvgPoolDefinition() : PoolDefinition(PoolType.Avg, kernel: 2, padding: 0)
{
    public override BlockKind Kind => BlockKind.AvgPool;
}
