using GptNas.Architectures;

namespace GptNas.Spaces;

/// <summary>
/// Makes a block of a given kind that fits an incoming shape, with a requested width and with or without
/// down-sampling; block internals follow torchvision's choices for that kind.
/// </summary>
public static class BlockFactory
{
    /// <summary>Kinds that can halve the resolution.</summary>
    public static bool CanDownsample(BlockKind kind) => kind is not (BlockKind.SqueezeExcitation or BlockKind.Inception or BlockKind.BatchNorm or BlockKind.ReLU);

    /// <summary>Kinds whose output width is their own setting (the others keep the input's channels).</summary>
    public static bool SetsWidth(BlockKind kind) => kind is not (BlockKind.SqueezeExcitation or BlockKind.BatchNorm or BlockKind.ReLU or BlockKind.MaxPool or BlockKind.AvgPool);

    /// <summary>A block of <paramref name="kind"/> on <paramref name="input"/>; null when the kind cannot do what is asked there.</summary>
    public static Block? Create(BlockKind kind, Shape input, int width, bool downsample, Random random)
    {
        if (downsample && (!CanDownsample(kind) || Math.Min(input.Height, input.Width) < 2)) return null;
        var stride = downsample ? 2 : 1;
        var block = kind switch
        {
            BlockKind.ConvNormActivation => Block.Of(kind, ("out", width), ("kernel", random.Next(2) == 0 ? 3 : 1), ("stride", stride), ("act", random.Next(2) == 0 ? "relu" : "silu")),
            BlockKind.SqueezeExcitation => Block.Of(kind, ("squeeze", Math.Max(1, input.Channels / 4)), ("act", random.Next(2) == 0 ? "relu" : "silu")),
            BlockKind.Inception => Inception(width),
            BlockKind.AvgPool => downsample ? Block.Of(kind, ("kernel", 2), ("stride", 2), ("padding", 0)) : Block.Of(kind, ("kernel", 3), ("stride", 1), ("padding", 1)),
            BlockKind.MaxPool => downsample ? Block.Of(kind, ("kernel", 3), ("stride", 2), ("padding", 1)) : Block.Of(kind, ("kernel", 3), ("stride", 1), ("padding", 1)),
            BlockKind.ResBottleneckBlock => Block.Of(kind, ("out", width), ("stride", stride), ("group_width", GroupWidth(width)), ("se", random.Next(2) == 0 ? 0.0 : 0.25)),
            BlockKind.SimpleStemIN => Block.Of(kind, ("out", width), ("stride", stride)),
            BlockKind.Bottleneck => Block.Of(kind, ("out", width), ("stride", stride), ("width", Math.Max(1, width / 4))),
            BlockKind.BasicBlock => Block.Of(kind, ("out", width), ("stride", stride)),
            BlockKind.GroupedBottleneck => Grouped(width, stride),
            BlockKind.WideBottleneck => Block.Of(kind, ("out", width), ("stride", stride), ("width", Math.Max(1, width / 2))),
            BlockKind.InvertedResidual => downsample ? Block.Of(kind, ("out", Even(width)), ("stride", 2)) : Block.Of(kind, ("out", input.Channels), ("stride", 1)),
            BlockKind.BatchNorm or BlockKind.ReLU => Block.Of(kind),
            BlockKind.Conv => Block.Of(kind, ("out", width), ("kernel", 3), ("stride", stride), ("padding", 1)),
            _ => null,
        };
        return block is not null && block.Fits(input) ? block : null;
    }

    /// <summary>GoogLeNet's branch proportions (inception 3a: 64/96-128/16-32/32 of 256) scaled to <paramref name="width"/>.</summary>
    private static Block Inception(int width)
    {
        var c1 = Math.Max(1, width / 4);
        var c3 = Math.Max(1, width / 2);
        var c5 = Math.Max(1, width / 8);
        var pool = Math.Max(1, width - c1 - c3 - c5);
        return Block.Of(BlockKind.Inception, ("c1", c1), ("c3r", Math.Max(1, c3 * 3 / 4)), ("c3", c3), ("c5r", Math.Max(1, c5 / 2)), ("c5", c5), ("pool", pool));
    }

    /// <summary>ResNeXt's 32 groups where the width allows (4 channels a group at least), else fewer.</summary>
    private static Block Grouped(int width, int stride)
    {
        var inner = Math.Max(1, width / 2);
        var groups = 32;
        while (groups > 1 && (inner % groups != 0 || inner / groups < 4)) groups /= 2;
        return Block.Of(BlockKind.GroupedBottleneck, ("out", width), ("stride", stride), ("width", inner), ("groups", groups));
    }

    /// <summary>RegNet's group widths (8..64) where they divide the width.</summary>
    private static int GroupWidth(int width)
    {
        foreach (var candidate in new[] { 16, 8, 4, 2 })
            if (width % candidate == 0) return candidate;
        return 1;
    }

    private static int Even(int width) => width % 2 == 0 ? width : width + 1;
}
